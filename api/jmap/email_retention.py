"""Email/listDeleted and Email/restore: the urn:sealbox:retention vendor capability.

Destroyed mail (Email/set destroy, Mailbox/set onDestroyRemoveEmails) is kept 30 days
before it is crypto-shredded. listDeleted shows what is kept; restore brings emails back
as new emails (new ids: RFC 8620 1.2 ids are never reused), in the mailboxes they were in
that still exist other than the Trash, else in the inbox; one that would exceed the quota
is in notRestored.
"""

from __future__ import annotations

from typing import Any

import msgspec

from api.jmap.email_render import utc_date
from api.jmap.errors import RequestTooLargeError
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.set_results import set_error
from api.jmap.states import state_string

__all__ = [
    "ListDeletedArguments",
    "RestoreArguments",
    "email_list_deleted",
    "email_restore",
]


class ListDeletedArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str


class RestoreArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    ids: list[str]


async def email_list_deleted(
    context: MethodContext, arguments: ListDeletedArguments
) -> dict[str, Any]:
    deleted = await context.services.retention.list_deleted(context.unlocked)
    return {
        "accountId": context.account_id,
        "list": [
            {
                "id": item.record.id,
                "receivedAt": utc_date(item.record.received_at),
                "deletedAt": utc_date(item.record.deleted_at or 0),
                "size": item.record.size,
                "subject": item.summary.subject,
                "from": msgspec.to_builtins(item.summary.from_),
            }
            for item in deleted
        ],
    }


async def email_restore(context: MethodContext, arguments: RestoreArguments) -> dict[str, Any]:
    limit = context.limits.max_objects_in_set
    if limit is not None and len(arguments.ids) > limit:
        raise RequestTooLargeError(f"at most {limit} ids per Email/restore")
    restored, over_quota, state = await context.services.retention.restore(
        context.unlocked, arguments.ids
    )
    return {
        "accountId": context.account_id,
        "newState": state_string(state),
        "restored": {
            old_id: {
                "id": record.id,
                "threadId": record.thread_id,
                "mailboxIds": dict.fromkeys(sorted(record.mailboxes), True),
            }
            for old_id, record in restored.items()
        },
        # SetError-shaped, as Email/set and Email/import answer overQuota (RFC 8621 4.6).
        "notRestored": {
            old_id: set_error("overQuota", exc.message) for old_id, exc in over_quota.items()
        }
        or None,
        "notFound": [
            i for i in dict.fromkeys(arguments.ids) if i not in restored and i not in over_quota
        ],
    }
