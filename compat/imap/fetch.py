"""FETCH and UID FETCH (RFC 9051 6.4.5, 6.4.9, 7.5.2; RFC 7162 3.1.4 CHANGEDSINCE/MODSEQ,
3.2.6 VANISHED).

UID, FLAGS and MODSEQ alone come from the session's listing, refreshed by one
Mailbox/imapListing of the changes since it, and go out as preformatted lines (a flag
listing of 16,000 messages is one string format per line); other metadata from one
Email/get of every named id (no per-message round trip); bodies are read only when a
body item is asked for, once per message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from compat.imap.context import Context, Reply
from compat.imap.errors import ImapError
from compat.imap.fetch_bodies import BODY_ITEMS, SEEN_ITEMS, render_body_item
from compat.imap.flags import flags_of
from compat.imap.message_octets import open_messages
from compat.imap.proto.commands import Fetch
from compat.imap.proto.fetch_items import FetchItem
from compat.imap.proto.render import date_time, flag_list
from compat.imap.proto.sequence import SequenceSet
from compat.imap.sections import split_entity
from compat.imap.session import Selected
from compat.imap.structure import body_structure, envelope
from compat.imap.vanished import uid_fetch_vanished, vanished_lines

__all__ = ["LISTED_FETCH", "fetch_listed", "handle_fetch", "positions"]

_PROPERTIES = {
    "FLAGS": "keywords",
    "INTERNALDATE": "receivedAt",
    "RFC822.SIZE": "size",
    "MODSEQ": "modseq",
}


def positions(state: Selected, sequence: SequenceSet, uid: bool) -> list[int]:
    """0-based positions in the session's numbering that a sequence set names."""
    mailbox = state.mailbox
    if uid:
        return sequence.select(mailbox.uids)
    count = len(mailbox.uids)
    for low, high in sequence.resolve(count):
        if high > count or low < 1:
            raise ImapError("no such message sequence number", None, "BAD")
    return sequence.select(list(range(1, count + 1)))


# What the session's listing knows: a FETCH of only these needs no Email/get.
# Each item's piece of a response line and its place in (number, uid, flags, modseq).
_LISTED_ITEMS = {"UID": (b"UID %d", 1), "FLAGS": (b"FLAGS %b", 2), "MODSEQ": (b"MODSEQ (%d)", 3)}
# What a QRESYNC SELECT reports of each changed message (RFC 7162 3.2.5).
LISTED_FETCH = (FetchItem("UID"), FetchItem("FLAGS"), FetchItem("MODSEQ"))
# Lines handed to the wire at once.
_BATCH = 512


async def _refresh(state: Selected) -> tuple[set[str], dict[str, tuple[frozenset[str], int]]]:
    """One listing of what changed since the session's last: the ids of messages gone
    since (not to be fetched) and the members' current keywords and modseqs. The session
    itself is left as it was, so its next update still announces the change (7.5.2) to a
    client whose FETCH did not ask for FLAGS."""
    mailbox = state.mailbox
    changes = await state.jmap.listing(mailbox.id, since=mailbox.highest_modseq)
    gone = set(changes.removed)
    current: dict[str, tuple[frozenset[str], int]] = {}
    for uid, email_id, keywords, modseq in changes.rows:
        known = mailbox.uid_of.get(email_id)
        if known is None:
            continue  # arrived since: not in this session's numbering yet
        if known != uid:
            gone.add(email_id)  # left and came back under a new UID: this message is gone
            continue
        current[email_id] = (keywords, modseq)
    return gone, current


async def fetch_listed(
    context: Context,
    items: Sequence[FetchItem],
    chosen: list[int],
    changed_since: int | None,
    fresh: bool,
) -> None:
    state = context.selected()
    # A UID FETCH runs after the session's updates (dispatch.run_request): nothing to read.
    gone, current = (set(), {}) if fresh else await _refresh(state)
    mailbox = state.mailbox
    pieces = [_LISTED_ITEMS[i.name] for i in items]
    template = b"* %d FETCH (" + b" ".join(piece for piece, _ in pieces) + b")\r\n"
    # A positional format from a tuple: a dict per line cost three times as much.
    pick = itemgetter(0, *(place for _, place in pieces))
    rendered: dict[frozenset[str], bytes] = {}  # few distinct keyword sets: format each once
    ids, uids, keywords, modseqs = mailbox.ids, mailbox.uids, mailbox.keywords, mailbox.modseqs
    batch: list[bytes] = []
    for position in chosen:
        email_id = ids[position]
        if email_id in gone:
            continue  # destroyed since the session last looked: 6.4.5 allows leaving it out
        keyword_set, modseq = current.get(email_id) or (keywords[email_id], modseqs[email_id])
        if changed_since is not None and modseq <= changed_since:
            continue
        flags = rendered.get(keyword_set)
        if flags is None:
            flags = rendered[keyword_set] = flag_list(flags_of(keyword_set))
        batch.append(template % pick((position + 1, uids[position], flags, modseq)))
        if len(batch) == _BATCH:
            await context.wire.raw(b"".join(batch))
            batch = []
    await context.wire.raw(b"".join(batch))


def _seconds(received_at: str) -> int:
    return int(datetime.fromisoformat(received_at.replace("Z", "+00:00")).timestamp())


async def _mark_seen(state: Selected, emails: dict[str, dict[str, Any]]) -> None:
    unseen = [i for i, e in emails.items() if "$seen" not in e["keywords"]]
    if not unseen:
        return
    await state.jmap.set_emails(update={i: {"keywords/$seen": True} for i in unseen})
    for email_id in unseen:
        emails[email_id]["keywords"] = {**emails[email_id]["keywords"], "$seen": True}


def _items(request: Fetch, qresync: bool) -> list[FetchItem]:
    items = list(request.items)
    names = {i.name for i in items}
    # RFC 7162 3.2.4: with QRESYNC every FETCH response carries the UID.
    if (request.uid or qresync) and "UID" not in names:
        items.insert(0, FetchItem("UID"))
    # RFC 7162 3.1.4.1: CHANGEDSINCE implies MODSEQ in every response.
    if request.changed_since is not None and "MODSEQ" not in names:
        items.append(FetchItem("MODSEQ"))
    return items


async def handle_fetch(context: Context, request: Fetch) -> Reply:
    state = context.selected()
    mailbox = state.mailbox
    items = _items(request, context.qresync)
    if request.changed_since is not None:
        context.enabled.add("CONDSTORE")
    if request.vanished:
        await _send_vanished(context, request)
    names = {i.name for i in items}
    wants_body = bool(names & BODY_ITEMS) or bool(names & {"ENVELOPE", "BODYSTRUCTURE", "BODY"})
    sets_seen = not mailbox.readonly and any(
        i.name in SEEN_ITEMS and (i.name != "BODY" or i.section is not None) for i in items
    )
    properties = {_PROPERTIES[n] for n in names if n in _PROPERTIES}
    if sets_seen:
        properties.add("keywords")
        if "FLAGS" not in names:  # 6.4.5: a \Seen set by this FETCH is reported in it
            items.append(FetchItem("FLAGS"))
    if wants_body:
        properties.add("blobId")
    if request.changed_since is not None:
        properties.add("modseq")
    chosen = positions(state, request.sequence, request.uid)
    if all(i.name in _LISTED_ITEMS for i in items):
        await fetch_listed(context, items, chosen, request.changed_since, fresh=request.uid)
        return Reply("fetched")
    ids = [mailbox.ids[p] for p in chosen]
    if not properties:
        emails: dict[str, dict[str, Any]] = {i: {"id": i} for i in ids}
    else:
        emails = {str(e["id"]): e for e in await state.jmap.get(ids, sorted(properties))}
    if sets_seen:
        await _mark_seen(state, emails)
    messages = (
        await open_messages(context.services, state.account, [e["blobId"] for e in emails.values()])
        if wants_body
        else None
    )
    wanted = []
    for position in chosen:
        email = emails.get(mailbox.ids[position])
        if email is None:
            continue  # destroyed since the session last looked: 6.4.5 allows leaving it out
        if request.changed_since is not None and int(email["modseq"]) <= request.changed_since:
            continue
        wanted.append((position, email))
    if messages is None:
        await _send(context, items, wanted, [b""] * len(wanted))
        return Reply("fetched")
    # Bodies a batch at a time: one read and one decryption hop per batch, not per message.
    done = 0
    for batch in messages.batches([email["blobId"] for _, email in wanted]):
        raws = await messages.read_many(batch)
        await _send(context, items, wanted[done : done + len(batch)], raws)
        done += len(batch)
    return Reply("fetched")


async def _send_vanished(context: Context, request: Fetch) -> None:
    """3.2.6: before the FETCH lines; the session is current (UID FETCH runs after the
    updates, dispatch.run_request)."""
    if not context.qresync:
        raise ImapError("VANISHED needs ENABLE QRESYNC first", None, "BAD")
    mailbox = context.selected().mailbox
    since = request.changed_since or 0
    vanished = uid_fetch_vanished(request.sequence, since, mailbox.uids, mailbox.expunged_modseq)
    for line in vanished_lines(vanished, earlier=True):
        await context.wire.untagged(line)


async def _send(
    context: Context,
    items: list[FetchItem],
    wanted: list[tuple[int, dict[str, Any]]],
    raws: list[bytes],
) -> None:
    mailbox = context.selected().mailbox
    for (position, email), raw in zip(wanted, raws, strict=True):
        email_id = mailbox.ids[position]
        if "keywords" in email:
            mailbox.keywords[email_id] = frozenset(email["keywords"])
        if "modseq" in email:
            mailbox.modseqs[email_id] = int(email["modseq"])
        parts = [await _render(item, email, raw, mailbox.uids[position]) for item in items]
        await context.wire.untagged(f"{position + 1} FETCH (".encode() + b" ".join(parts) + b")")


async def _render(item: FetchItem, email: dict[str, Any], raw: bytes, uid: int) -> bytes:
    name = item.name
    if name == "UID":
        return f"UID {uid}".encode()
    if name == "FLAGS":
        return b"FLAGS " + flag_list(flags_of(email["keywords"]))
    if name == "INTERNALDATE":
        return b"INTERNALDATE " + date_time(_seconds(email["receivedAt"]))
    if name == "RFC822.SIZE":
        return f"RFC822.SIZE {email['size']}".encode()
    if name == "MODSEQ":
        return f"MODSEQ ({email['modseq']})".encode()
    if name == "ENVELOPE":
        return b"ENVELOPE " + envelope(split_entity(raw).headers())
    if name == "BODYSTRUCTURE":
        return b"BODYSTRUCTURE " + body_structure(raw, extended=True)
    if name == "BODY" and item.section is None:
        return b"BODY " + body_structure(raw, extended=False)
    return render_body_item(item, raw)
