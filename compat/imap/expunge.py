"""EXPUNGE and UID EXPUNGE (RFC 9051 6.4.3, 6.4.9; RFC 7162 3.2.7 VANISHED): \\Deleted
messages leave this mailbox.

A message in several JMAP mailboxes leaves only this one (Email/set mailboxIds/<id>:
null); one whose last mailbox this is is destroyed, which keeps it 30 days.
"""

from __future__ import annotations

from typing import Any

from compat.imap.context import Context, Reply
from compat.imap.errors import ImapError
from compat.imap.gateway import set_failure
from compat.imap.proto.commands import UidExpunge
from compat.imap.proto.sequence import SequenceSet, ranges_of
from compat.imap.vanished import vanished_lines

__all__ = ["announce_removed", "expunge_deleted", "handle_expunge", "handle_uid_expunge"]


async def announce_removed(context: Context, email_ids: list[str], announce: bool) -> None:
    """Drop messages from the session, highest number first so each EXPUNGE stays valid;
    with QRESYNC one VANISHED of their UIDs instead (RFC 7162 3.2.10)."""
    mailbox = context.selected().mailbox
    known = [i for i in email_ids if i in mailbox.uid_of]
    uids = [mailbox.uid_of[i] for i in known]
    for email_id in sorted(known, key=mailbox.uid_of.__getitem__, reverse=True):
        number = mailbox.remove(email_id)
        if announce and not context.qresync:
            await context.wire.untagged(f"{number} EXPUNGE".encode())
    if announce and context.qresync:
        for line in vanished_lines(ranges_of(uids), earlier=False):
            await context.wire.untagged(line)


async def expunge_deleted(context: Context, uids: SequenceSet | None, *, announce: bool) -> None:
    state = context.selected()
    mailbox = state.mailbox
    if mailbox.readonly:
        raise ImapError("the mailbox is read-only", "READ-ONLY")
    flagged = await state.jmap.query_ids({"inMailbox": mailbox.id, "hasKeyword": "$deleted"})
    largest = mailbox.uids[-1] if mailbox.uids else 0
    chosen = [
        i
        for i in flagged
        if i in mailbox.uid_of and (uids is None or uids.contains(mailbox.uid_of[i], largest))
    ]
    if not chosen:
        return
    update: dict[str, Any] = {}
    destroy: list[str] = []
    for email in await state.jmap.get(chosen, ["mailboxIds"]):
        if set(email["mailboxIds"]) - {mailbox.id}:
            update[email["id"]] = {f"mailboxIds/{mailbox.id}": None}
        else:
            destroy.append(email["id"])
    got = await state.jmap.set_emails(update=update or None, destroy=destroy or None)
    failure = set_failure(got)
    done = list(got.get("updated") or {}) + list(got.get("destroyed") or [])
    await announce_removed(context, done, announce)
    if failure is not None:
        raise failure


async def handle_expunge(context: Context) -> Reply:
    await expunge_deleted(context, None, announce=True)
    return Reply("expunged")


async def handle_uid_expunge(context: Context, request: UidExpunge) -> Reply:
    await expunge_deleted(context, request.sequence, announce=True)
    return Reply("expunged")
