"""Unsolicited EXISTS, EXPUNGE and FETCH FLAGS (RFC 9051 7.4.1, 7.5.1, 5.2, 5.5).

Mailbox/imapListing since the session's last highestModseq lists only the members that
changed and the emails that left; they are compared with the session's numbering. When
the difference does not add up to the mailbox's member count, the whole listing is
compared instead.
"""

from __future__ import annotations

from compat.imap.context import Context
from compat.imap.errors import ImapError
from compat.imap.expunge import announce_removed
from compat.imap.flags import flags_of
from compat.imap.gateway import ListingRow
from compat.imap.proto.render import flag_list
from compat.imap.session import Selected, SelectedMailbox

__all__ = ["send_updates"]


async def send_updates(context: Context) -> None:
    state = context.state
    if not isinstance(state, Selected):
        return
    mailbox = state.mailbox
    try:
        listing = await state.jmap.listing(mailbox.id, since=mailbox.highest_modseq)
    except ImapError:
        # The mailbox itself is gone (destroyed elsewhere): so is every message in it.
        await _apply(context, mailbox, [], set(mailbox.uid_of))
        return
    touched = {email_id for _, email_id, _, _ in listing.rows} | listing.removed
    await _apply(context, mailbox, listing.rows, touched)
    if len(mailbox.uids) != listing.total:
        listing = await state.jmap.listing(mailbox.id)
        touched = {email_id for _, email_id, _, _ in listing.rows} | set(mailbox.uid_of)
        await _apply(context, mailbox, listing.rows, touched)
    mailbox.highest_modseq = listing.highest_modseq
    mailbox.expunged_modseq = listing.expunged_modseq


async def _apply(
    context: Context, mailbox: SelectedMailbox, rows: list[ListingRow], touched: set[str]
) -> None:
    """Bring the session to `rows`, the current members among the `touched` emails."""
    current = {email_id: (uid, keywords, modseq) for uid, email_id, keywords, modseq in rows}
    gone = [
        i for i in touched if i in mailbox.uid_of and current.get(i, (0,))[0] != mailbox.uid_of[i]
    ]
    await announce_removed(context, gone, announce=True)
    known = [i for i in touched if i in mailbox.uid_of]
    for email_id in sorted(known, key=mailbox.uid_of.__getitem__):
        _, keywords, modseq = current[email_id]
        mailbox.modseqs[email_id] = modseq
        if keywords != mailbox.keywords[email_id]:
            mailbox.keywords[email_id] = keywords
            number, uid = mailbox.seq_of(email_id), mailbox.uid_of[email_id]
            line = f"{number} FETCH (UID {uid} FLAGS ".encode() + flag_list(flags_of(keywords))
            await context.wire.untagged(line + b")")
    last = mailbox.uids[-1] if mailbox.uids else 0
    arrived = [row for row in rows if row[1] not in mailbox.uid_of and row[0] > last]
    for uid, email_id, keywords, modseq in arrived:
        mailbox.append(uid, email_id, keywords, modseq)
    if arrived or gone:
        await context.wire.untagged(f"{len(mailbox.uids)} EXISTS".encode())
