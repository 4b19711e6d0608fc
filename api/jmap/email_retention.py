"""Email/listDeleted and Email/restore: the urn:sealbox:retention vendor capability.

Destroyed mail (Email/set destroy, Mailbox/set onDestroyRemoveEmails) is kept 30 days
before it is crypto-shredded. listDeleted shows what is kept; restore brings emails back
as new emails (new ids: RFC 8620 1.2 ids are never reused), in the mailboxes they were in
that still exist other than the Trash, else in the inbox; one that would exceed the quota,
or that has no such mailbox left and no inbox to go to, is in notRestored.
"""

from __future__ import annotations

from typing import Any

import msgspec

from api.jmap.email_import import import_set_error
from api.jmap.email_render import utc_date
from api.jmap.errors import RequestTooLargeError
from api.jmap.query_paging import clamp_limit
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.states import state_string

__all__ = [
    "ListDeletedArguments",
    "RestoreArguments",
    "email_list_deleted",
    "email_restore",
]


class ListDeletedArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    position: int = 0
    limit: int | None = None


class RestoreArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    ids: list[str]


async def email_list_deleted(
    context: MethodContext, arguments: ListDeletedArguments
) -> dict[str, Any]:
    """A window of the deleted mail, paged as a /query is (RFC 8620 5.5): `position`
    (negative counts from the end), `limit` clamped to the server's maximum (the clamped
    limit is returned), and the `total` kept."""
    limit, clamped = clamp_limit(arguments.limit, context.limits.max_objects_in_get)
    page = await context.services.retention.list_deleted(
        context.unlocked, arguments.position, limit
    )
    response: dict[str, Any] = {
        "accountId": context.account_id,
        "position": page.position,
        "total": page.total,
        "list": [
            {
                "id": item.record.id,
                "receivedAt": utc_date(item.record.received_at),
                "deletedAt": utc_date(item.record.deleted_at or 0),
                "size": item.record.size,
                "subject": item.summary.subject,
                "from": msgspec.to_builtins(item.summary.from_),
            }
            for item in page.items
        ],
    }
    if clamped:
        response["limit"] = limit
    return response


async def email_restore(context: MethodContext, arguments: RestoreArguments) -> dict[str, Any]:
    limit = context.limits.max_objects_in_set
    if limit is not None and len(arguments.ids) > limit:
        raise RequestTooLargeError(f"at most {limit} ids per Email/restore")
    result = await context.services.retention.restore(context.unlocked, arguments.ids)
    return {
        "accountId": context.account_id,
        "newState": state_string(result.state),
        "restored": {
            old_id: {
                "id": record.id,
                "threadId": record.thread_id,
                "mailboxIds": dict.fromkeys(sorted(record.mailboxes), True),
            }
            for old_id, record in result.restored.items()
        },
        # SetErrors, as Email/import answers them (RFC 8621 4.8): overQuota, or
        # invalidProperties on mailboxIds when there is nowhere left to put it.
        "notRestored": {old_id: import_set_error(exc) for old_id, exc in result.refused.items()}
        or None,
        "notFound": [
            i
            for i in dict.fromkeys(arguments.ids)
            if i not in result.restored and i not in result.refused
        ],
    }
