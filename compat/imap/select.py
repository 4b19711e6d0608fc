"""SELECT, EXAMINE, CLOSE, UNSELECT (RFC 9051 6.3.2, 6.3.3, 6.4.1, 6.4.2; RFC 7162 3.1.2,
3.2.5 QRESYNC resync, 3.2.11 CLOSED)."""

from __future__ import annotations

from compat.imap.context import Context, Reply
from compat.imap.errors import ImapError
from compat.imap.expunge import expunge_deleted
from compat.imap.fetch import LISTED_FETCH, fetch_listed
from compat.imap.flags import PERMANENT_FLAGS, SYSTEM_FLAGS, flags_of
from compat.imap.gateway import MailboxListing
from compat.imap.listing_cache import current_listing
from compat.imap.mailbox_tree import MailboxTree, read_name, wire_name
from compat.imap.proto.commands import Select
from compat.imap.proto.qresync import Qresync
from compat.imap.proto.render import flag_list, quoted_or_literal
from compat.imap.session import Selected, SelectedMailbox
from compat.imap.vanished import select_vanished, vanished_lines

__all__ = ["handle_close", "handle_select", "handle_unselect"]


async def handle_select(context: Context, request: Select) -> Reply:
    state = context.authenticated()
    if request.qresync is not None and not context.qresync:
        raise ImapError("QRESYNC parameters need ENABLE QRESYNC first", None, "BAD")
    if isinstance(state, Selected):
        # RFC 7162 3.2.11, 9051 7.1: what follows is about the new mailbox.
        await context.wire.untagged(b"OK [CLOSED] previous mailbox closed")
    # 6.3.2: a failed SELECT leaves no mailbox selected.
    context.unselect()
    if request.condstore:
        context.enabled.add("CONDSTORE")
    jmap = state.jmap
    tree = MailboxTree(await jmap.mailboxes())
    entry = tree.require(read_name(request.mailbox, context.utf8))
    listing = await current_listing(jmap, context.listings, entry.id)
    mailbox = SelectedMailbox.from_listing(entry.id, entry.path, request.readonly, listing)
    distinct = set(listing.keywords)
    custom = flags_of({k for keywords in distinct for k in keywords if k[:1] != "$"})
    wire = context.wire
    await wire.untagged(b"FLAGS " + flag_list([*SYSTEM_FLAGS, *custom]))
    await wire.untagged(f"{len(mailbox.uids)} EXISTS".encode())
    await wire.untagged(b"0 RECENT")  # rev1 clients expect it; rev2 has no \Recent
    permanent = [] if request.readonly else [*PERMANENT_FLAGS, *custom]
    await wire.untagged(b"OK [PERMANENTFLAGS " + flag_list(permanent) + b"] flags")
    await wire.untagged(f"OK [UIDVALIDITY {mailbox.uid_validity}] uidvalidity".encode())
    uid_next = max(listing.uid_next, mailbox.uid_next_seen)
    await wire.untagged(f"OK [UIDNEXT {uid_next}] next uid".encode())
    await wire.untagged(f"OK [HIGHESTMODSEQ {listing.highest_modseq}] modseq".encode())
    await wire.untagged(b'LIST () "/" ' + quoted_or_literal(wire_name(entry.path, context.utf8)))
    context.state = Selected(state.account, state.jmap, mailbox)
    if request.qresync is not None and request.qresync.uid_validity == mailbox.uid_validity:
        await _resync(context, request.qresync, listing)
    code = "READ-ONLY" if request.readonly else "READ-WRITE"
    return Reply("selected", code)


async def _resync(context: Context, request: Qresync, listing: MailboxListing) -> None:
    """3.2.5: the expunges, then the flag changes, the client missed since its modseq;
    only of its known UIDs when it named them."""
    mailbox = context.selected().mailbox
    vanished = select_vanished(request, mailbox.uids, listing.uid_next, listing.expunged_modseq)
    for line in vanished_lines(vanished, earlier=True):
        await context.wire.untagged(line)
    known = request.known_uids
    chosen = range(len(mailbox.uids)) if known is None else known.select(mailbox.uids)
    await fetch_listed(context, LISTED_FETCH, list(chosen), request.modseq, fresh=True)


async def handle_close(context: Context) -> Reply:
    """6.4.1: expunge silently when read-write, then leave the mailbox."""
    state = context.selected()
    if not state.mailbox.readonly:
        await expunge_deleted(context, None, announce=False)
    context.unselect()
    return Reply("closed")


async def handle_unselect(context: Context) -> Reply:
    context.selected()
    context.unselect()
    return Reply("unselected")
