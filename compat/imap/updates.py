"""Unsolicited EXISTS, EXPUNGE and FETCH FLAGS (RFC 9051 7.4.1, 7.5.1, 5.2, 5.5).

Email/changes since the session's Email state says whether anything moved at all; only
the touched emails are then read (their UID here and keywords) and compared with the
session's numbering. Without a usable state the whole mailbox listing is compared.
"""

from __future__ import annotations

from compat.imap.context import Context
from compat.imap.expunge import announce_removed
from compat.imap.flags import flags_of
from compat.imap.proto.render import flag_list
from compat.imap.session import Selected

__all__ = ["send_updates"]


async def send_updates(context: Context) -> None:
    state = context.state
    if not isinstance(state, Selected):
        return
    mailbox = state.mailbox
    changed = await state.jmap.changes(mailbox.email_state)
    if changed is None:
        listing, new_state = await state.jmap.listing(mailbox.id)
        current = {email_id: (uid, keywords) for uid, email_id, keywords in listing}
        touched = set(current) | set(mailbox.uid_of)
    else:
        touched, new_state = changed
        if not touched:
            mailbox.email_state = new_state
            return
        current = {}
        for email in await state.jmap.get(sorted(touched), ["imapUids", "keywords"]):
            uid = email["imapUids"].get(mailbox.id)
            if uid is not None:
                current[email["id"]] = (int(uid), frozenset(email["keywords"]))
    gone = [
        i for i in touched if i in mailbox.uid_of and current.get(i, (0,))[0] != mailbox.uid_of[i]
    ]
    await announce_removed(context, gone, announce=True)
    for email_id in sorted(touched & set(mailbox.uid_of), key=mailbox.uid_of.__getitem__):
        keywords = current[email_id][1]
        if keywords != mailbox.keywords[email_id]:
            mailbox.keywords[email_id] = keywords
            number, uid = mailbox.seq_of(email_id), mailbox.uid_of[email_id]
            line = f"{number} FETCH (UID {uid} FLAGS ".encode() + flag_list(flags_of(keywords))
            await context.wire.untagged(line + b")")
    arrived = sorted(
        (uid, email_id)
        for email_id, (uid, _) in current.items()
        if email_id not in mailbox.uid_of and uid > (mailbox.uids[-1] if mailbox.uids else 0)
    )
    for uid, email_id in arrived:
        mailbox.append(uid, email_id, current[email_id][1])
    if arrived or gone:
        await context.wire.untagged(f"{len(mailbox.uids)} EXISTS".encode())
    mailbox.email_state = new_state
