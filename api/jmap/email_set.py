"""Email/set (RFC 8621 4.6 on RFC 8620 5.3): create drafts, update keywords and mailboxes,
destroy.

Updates and destroys run in one EmailBatch: one transaction at one change-log position,
so the state moves once per call and every changed email gets that MODSEQ. Each update
and destroy succeeds or fails on its own. A destroyed email leaves every client at once
but is kept 30 days for Email/restore (urn:sealbox:retention).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from api.core.clock import now
from api.core.errors import EmailStateMismatchError, InvalidEmailError, SealboxError
from api.core.ingest import IncomingEmail
from api.core.keywords import check_keyword
from api.jmap.email_import import import_set_error, parse_utc_date, resolve_id
from api.jmap.email_patch import PatchError, parse_update
from api.jmap.errors import RequestTooLargeError, StateMismatchError
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.states import check_if_in_state, state_string

__all__ = ["EmailSetArguments", "create_emails", "email_set"]


class EmailSetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    if_in_state: str | None = None
    create: dict[str, dict[str, Any]] | None = None
    update: dict[str, dict[str, Any]] | None = None
    destroy: list[str] | None = None


def _incoming(values: dict[str, Any], context: MethodContext) -> IncomingEmail:
    """The create object's mailboxIds, keywords and receivedAt, checked (RFC 8621 4.6)."""
    mailbox_ids = values.get("mailboxIds")
    keywords = values.get("keywords") or {}
    if not isinstance(mailbox_ids, dict) or not mailbox_ids:
        raise InvalidEmailError("an email must be in at least one mailbox", ["mailboxIds"])
    if not isinstance(keywords, dict):
        raise InvalidEmailError("keywords maps keywords to true", ["keywords"])
    if any(v is not True for v in (*mailbox_ids.values(), *keywords.values())):
        raise InvalidEmailError("mailboxIds and keywords map ids to true", ["mailboxIds"])
    received = values.get("receivedAt")
    if received is not None and not isinstance(received, str):
        raise InvalidEmailError("receivedAt is a UTCDate", ["receivedAt"])
    return IncomingEmail(
        mailbox_ids=[resolve_id(str(m), context) for m in mailbox_ids],
        keywords=[check_keyword(str(k)) for k in keywords],
        received_at=now() if received is None else parse_utc_date(received, "receivedAt"),
    )


async def create_emails(
    context: MethodContext, creates: dict[str, dict[str, Any]], guard: int | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(created, notCreated) for Email/set `create`: compose each and store it (4.6).

    `guard` is the ifInState state: until one create lands, each re-checks it under the
    account's lock, and a mismatch aborts the call with nothing stored.
    """
    created: dict[str, Any] = {}
    not_created: dict[str, Any] = {}
    for creation_id, values in creates.items():
        try:
            incoming = replace(_incoming(values, context), expect_state=guard)
            record = await context.services.composer.create_email(
                context.unlocked, values, incoming
            )
        except EmailStateMismatchError as exc:
            raise StateMismatchError(exc.message) from None
        except SealboxError as exc:
            not_created[creation_id] = import_set_error(exc)
            continue
        guard = None
        context.created_ids[creation_id] = record.id
        created[creation_id] = {
            "id": record.id,
            "blobId": record.blob_id,
            "threadId": record.thread_id,
            "size": record.size,
        }
    return created, not_created


async def email_set(context: MethodContext, arguments: EmailSetArguments) -> dict[str, Any]:
    creates, updates = arguments.create or {}, arguments.update or {}
    destroys = arguments.destroy or []
    limit = context.limits.max_objects_in_set
    if limit is not None and len(creates) + len(updates) + len(destroys) > limit:
        raise RequestTooLargeError(f"at most {limit} objects per Email/set")
    service = context.services.emails
    old_state: int | None = None
    created: dict[str, Any] = {}
    not_created: dict[str, Any] = {}
    if creates:
        # Creates commit on their own, before the batch; the state check must precede them.
        old_state = await service.state(context.unlocked)
        check_if_in_state(arguments.if_in_state, old_state)
        guard = old_state if arguments.if_in_state is not None else None
        created, not_created = await create_emails(context, creates, guard)
    updated: dict[str, Any] = {}
    not_updated: dict[str, Any] = {}
    destroyed: list[str] = []
    not_destroyed: dict[str, Any] = {}
    async with service.batch(context.unlocked) as batch:
        if old_state is None:
            # Under the account's lock: nothing can change between the check and the writes.
            check_if_in_state(arguments.if_in_state, batch.old_state)
            old_state = batch.old_state
        for email_id, patch in updates.items():
            try:
                change = parse_update(patch, lambda value: resolve_id(value, context))
                await batch.update(
                    resolve_id(email_id, context),
                    keywords=change.keywords,
                    mailboxes=change.mailboxes,
                )
                updated[email_id] = None
            except PatchError as failure:
                not_updated[email_id] = failure.error
            except SealboxError as exc:
                not_updated[email_id] = import_set_error(exc)
        for email_id in destroys:
            try:
                await batch.destroy(resolve_id(email_id, context))
                destroyed.append(email_id)
            except SealboxError as exc:
                not_destroyed[email_id] = import_set_error(exc)
    return {
        "accountId": context.account_id,
        "oldState": state_string(old_state),
        "newState": state_string(batch.new_state),
        "created": created or None,
        "updated": updated or None,
        "destroyed": destroyed or None,
        "notCreated": not_created or None,
        "notUpdated": not_updated or None,
        "notDestroyed": not_destroyed or None,
    }
