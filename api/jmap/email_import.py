"""Email/import (RFC 8621 4.8): messages uploaded as blobs become emails in mailboxes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import msgspec

from api.core.clock import now
from api.core.errors import (
    BlobNotFoundError,
    EmailStateMismatchError,
    InvalidEmailError,
    MailboxNotFoundError,
    SealboxError,
)
from api.core.ingest import IncomingEmail
from api.core.keywords import check_keyword
from api.jmap.errors import InvalidArgumentsError, RequestTooLargeError, StateMismatchError
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.states import check_if_in_state, state_string

__all__ = ["ImportArguments", "ImportEmail", "email_import", "import_set_error", "resolve_id"]


class ImportEmail(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    blob_id: str
    mailbox_ids: dict[str, bool]
    keywords: dict[str, bool] = msgspec.field(default_factory=dict)
    received_at: str | None = None


class ImportArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    if_in_state: str | None = None
    emails: dict[str, ImportEmail]


def resolve_id(value: str, context: MethodContext) -> str:
    """`#creationId` names an object created earlier in the request (RFC 8620 5.3)."""
    if value.startswith("#"):
        return context.created_ids.get(value[1:], value)
    return value


def parse_utc_date(value: str, prop: str) -> int:
    """RFC 8620 1.4 UTCDate (or any RFC 3339 date-time with an offset) as Unix seconds."""
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise InvalidEmailError(f"{prop} is not an RFC 3339 date-time", [prop]) from None
    if parsed.tzinfo is None:
        raise InvalidEmailError(f"{prop} needs a time zone (use Z)", [prop])
    return int(parsed.timestamp())


def incoming(email: ImportEmail, context: MethodContext) -> IncomingEmail:
    if any(value is not True for value in (*email.mailbox_ids.values(), *email.keywords.values())):
        raise InvalidEmailError("mailboxIds and keywords map ids to true", ["mailboxIds"])
    return IncomingEmail(
        mailbox_ids=[resolve_id(m, context) for m in email.mailbox_ids],
        keywords=[check_keyword(k) for k in email.keywords],
        received_at=now()
        if email.received_at is None
        else parse_utc_date(email.received_at, "receivedAt"),
    )


def import_set_error(exc: SealboxError, blob_id: str | None = None) -> dict[str, Any]:
    """One table from domain errors to the SetErrors of Email/import and Email/set."""
    if isinstance(exc, InvalidEmailError):
        return {
            "type": "invalidProperties",
            "description": exc.message,
            "properties": exc.properties,
        }
    if isinstance(exc, MailboxNotFoundError):
        return {
            "type": "invalidProperties",
            "description": exc.message,
            "properties": ["mailboxIds"],
        }
    if isinstance(exc, BlobNotFoundError):
        missing = exc.blob_ids or ([blob_id] if blob_id is not None else [])
        return {"type": "blobNotFound", "description": exc.message, "notFound": missing}
    kind = (
        exc.code if exc.code in ("overQuota", "tooLarge", "notFound", "forbidden") else "forbidden"
    )
    return {"type": kind, "description": exc.message}


async def email_import(context: MethodContext, arguments: ImportArguments) -> dict[str, Any]:
    limit = context.limits.max_objects_in_set
    if limit is not None and len(arguments.emails) > limit:
        raise RequestTooLargeError(f"at most {limit} emails per Email/import")
    service = context.services.emails
    old_state = await service.state(context.unlocked)
    check_if_in_state(arguments.if_in_state, old_state)
    created: dict[str, Any] = {}
    not_created: dict[str, Any] = {}
    # Until one import lands, each re-checks ifInState under the account's lock.
    guard = old_state if arguments.if_in_state is not None else None
    new_state: int | None = None
    for creation_id, email in arguments.emails.items():
        try:
            checked = replace(incoming(email, context), expect_state=guard)
            record = await service.ingest.import_blob(context.unlocked, email.blob_id, checked)
        except EmailStateMismatchError as exc:
            raise StateMismatchError(exc.message) from None
        except SealboxError as exc:
            not_created[creation_id] = import_set_error(exc, email.blob_id)
            continue
        guard = None
        context.created_ids[creation_id] = record.id
        # The import's transaction moved the Email state to its position: no need to
        # read it back (a later writer's state is newer, and /changes will bring it).
        new_state = record.modseq
        created[creation_id] = {
            "id": record.id,
            "blobId": record.blob_id,
            "threadId": record.thread_id,
            "size": record.size,
        }
    if not created and not not_created and arguments.emails:
        raise InvalidArgumentsError("nothing to import")
    return {
        "accountId": context.account_id,
        "oldState": state_string(old_state),
        "newState": state_string(
            await service.state(context.unlocked) if new_state is None else new_state
        ),
        "created": created or None,
        "notCreated": not_created or None,
    }
