"""COPY, MOVE and their UID forms (RFC 9051 6.4.7, 6.4.8; RFC 4315 COPYUID, RFC 6851 MOVE).

JMAP has one email in several mailboxes, so COPY adds the target mailbox to each email
(it then has a UID there too) and MOVE swaps this mailbox for the target, in one Email/set.
"""

from __future__ import annotations

from typing import Any

from compat.imap.context import Context, Reply
from compat.imap.errors import ImapError
from compat.imap.expunge import announce_removed
from compat.imap.fetch import positions
from compat.imap.gateway import set_failure
from compat.imap.mailbox_tree import MailboxTree, read_name
from compat.imap.proto.commands import CopyMove
from compat.imap.proto.sequence import compress

__all__ = ["handle_copy_move"]


async def handle_copy_move(context: Context, request: CopyMove) -> Reply:
    state = context.selected()
    mailbox = state.mailbox
    move = request.name == "MOVE"
    if move and mailbox.readonly:
        raise ImapError("the mailbox is read-only", "READ-ONLY")
    tree = MailboxTree(await state.jmap.mailboxes())
    target = tree.find(read_name(request.mailbox, context.utf8))
    if target is None:
        raise ImapError("no such mailbox", "TRYCREATE")
    chosen = positions(state, request.sequence, request.uid)
    ids = [mailbox.ids[p] for p in chosen]
    if not ids:
        return Reply("nothing to do")
    if target.id == mailbox.id:
        raise ImapError("source and target are the same mailbox", "CANNOT")
    patch: dict[str, Any] = {f"mailboxIds/{target.id}": True}
    if move:
        patch[f"mailboxIds/{mailbox.id}"] = None
    got = await state.jmap.set_emails(update={i: patch for i in ids})
    failure = set_failure(got)
    if failure is not None:
        raise failure
    uids = {e["id"]: e["imapUids"].get(target.id) for e in await state.jmap.get(ids, ["imapUids"])}
    facts = await state.jmap.mailbox(target.id, ["uidValidity"])
    source_uids = [mailbox.uids[p] for p in chosen if uids.get(mailbox.ids[p]) is not None]
    target_uids = [
        int(uids[mailbox.ids[p]]) for p in chosen if uids.get(mailbox.ids[p]) is not None
    ]
    # 4315 4.3: both sets list UIDs in the same order; ranges only where both ascend.
    code = (
        f"COPYUID {facts['uidValidity']} {','.join(map(str, source_uids))} "
        f"{','.join(map(str, target_uids))}"
    )
    if source_uids == sorted(source_uids) and target_uids == sorted(target_uids):
        code = f"COPYUID {facts['uidValidity']} {compress(source_uids)} {compress(target_uids)}"
    if not move:
        return Reply("copied", code)
    # RFC 6851 4.3: COPYUID comes in an untagged OK before the EXPUNGEs.
    await context.wire.untagged(f"OK [{code}] moved".encode())
    await announce_removed(context, ids, announce=True)
    return Reply("moved")
