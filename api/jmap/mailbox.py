"""Mailbox/get and Mailbox/changes (RFC 8621 2.2, 2.3), and the Mailbox wire shape.

Counts are read only when asked for; uidValidity, uidNext and highestModseq are the
vendor properties of urn:sealbox:imap, returned only when asked for by name.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from api.core.mailbox_rules import Mailbox
from api.core.mailboxes import MailboxService
from api.jmap.changes_method import ChangesArguments, answer_changes
from api.jmap.errors import InvalidArgumentsError, RequestTooLargeError
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.states import state_string
from api.store.ids import AccountId
from api.store.records import MailboxCounts

__all__ = ["MAILBOX_PROPERTIES", "mailbox_changes", "mailbox_get", "render_mailbox"]

# The owner may do everything with every mailbox of a personal account (2.1 myRights).
_ALL_RIGHTS = {
    right: True
    for right in (
        "mayReadItems",
        "mayAddItems",
        "mayRemoveItems",
        "maySetSeen",
        "maySetKeywords",
        "mayCreateChild",
        "mayRename",
        "mayDelete",
        "maySubmit",
    )
}
MAILBOX_PROPERTIES = (
    "id",
    "name",
    "parentId",
    "role",
    "sortOrder",
    "totalEmails",
    "unreadEmails",
    "totalThreads",
    "unreadThreads",
    "myRights",
    "isSubscribed",
)
IMAP_PROPERTIES = ("uidValidity", "uidNext", "highestModseq")


_COUNTS = ("totalEmails", "unreadEmails", "totalThreads", "unreadThreads")


def render_mailbox(mailbox: Mailbox, counts: MailboxCounts | None = None) -> dict[str, Any]:
    counts = counts or MailboxCounts()
    return {
        "id": mailbox.id,
        "name": mailbox.name,
        "parentId": mailbox.parent_id,
        "role": mailbox.role,
        "sortOrder": mailbox.sort_order,
        "totalEmails": counts.total_emails,
        "unreadEmails": counts.unread_emails,
        "totalThreads": counts.total_threads,
        "unreadThreads": counts.unread_threads,
        "myRights": dict(_ALL_RIGHTS),
        "isSubscribed": mailbox.is_subscribed,
        "uidValidity": mailbox.uid_validity,
        "uidNext": mailbox.uid_next,
    }


class GetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    ids: list[str] | None = None
    properties: list[str] | None = None


def _properties(requested: list[str] | None) -> list[str]:
    if requested is None:
        return list(MAILBOX_PROPERTIES)
    unknown = sorted(set(requested) - set(MAILBOX_PROPERTIES) - set(IMAP_PROPERTIES))
    if unknown:
        raise InvalidArgumentsError(f"unknown Mailbox properties: {', '.join(unknown)}")
    # 5.1: the id is always returned.
    return ["id", *[p for p in requested if p != "id"]]


async def mailbox_get(context: MethodContext, arguments: GetArguments) -> dict[str, Any]:
    properties = _properties(arguments.properties)
    limit = context.limits.max_objects_in_get
    if arguments.ids is not None and limit is not None and len(arguments.ids) > limit:
        raise RequestTooLargeError(f"at most {limit} ids per Mailbox/get")
    service: MailboxService = context.services.mailboxes
    listed, state = await service.snapshot(context.unlocked)
    mailboxes = {m.id: m for m in listed}
    wanted = list(mailboxes) if arguments.ids is None else arguments.ids
    present = [i for i in dict.fromkeys(wanted) if i in mailboxes]
    counts = {}
    if any(p in _COUNTS for p in properties):
        counts = await service.counts(context.unlocked, present)
    found = [render_mailbox(mailboxes[i], counts.get(i)) for i in present]
    if "highestModseq" in properties:
        highest = await service.highest_modseq(AccountId(context.account_id))
        for shown in found:
            shown["highestModseq"] = highest
    return {
        "accountId": context.account_id,
        "state": state_string(state),
        "list": [{p: m[p] for p in properties} for m in found],
        "notFound": [i for i in dict.fromkeys(wanted) if i not in mailboxes],
    }


async def mailbox_changes(context: MethodContext, arguments: ChangesArguments) -> dict[str, Any]:
    source = partial(context.services.mailboxes.changes, AccountId(context.account_id))
    response = await answer_changes(context, arguments, source)
    # RFC 8621 2.2: null means any property may have changed.
    response["updatedProperties"] = None
    return response
