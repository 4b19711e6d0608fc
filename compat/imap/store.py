"""STORE and UID STORE (RFC 9051 6.4.6; RFC 7162 3.1.3 UNCHANGEDSINCE) as Email/set
keyword patches, one Email/set for the whole set of messages."""

from __future__ import annotations

from typing import Any

from compat.imap.context import Context, Reply
from compat.imap.errors import ImapError
from compat.imap.fetch import positions
from compat.imap.flags import flags_of, keyword_of
from compat.imap.gateway import set_failure
from compat.imap.proto.commands import Store
from compat.imap.proto.render import flag_list
from compat.imap.proto.sequence import compress

__all__ = ["handle_store"]


def _patch(mode: str, keywords: list[str]) -> dict[str, Any]:
    if mode == "":
        return {"keywords": dict.fromkeys(keywords, True)}
    value = True if mode == "+" else None
    return {f"keywords/{k}": value for k in keywords}


async def handle_store(context: Context, request: Store) -> Reply:
    state = context.selected()
    mailbox = state.mailbox
    if mailbox.readonly:
        raise ImapError("the mailbox is read-only", "READ-ONLY")
    keywords = [keyword_of(f) for f in request.flags]
    chosen = positions(state, request.sequence, request.uid)
    ids = [mailbox.ids[p] for p in chosen]
    modified: list[int] = []
    if request.unchanged_since is not None:
        context.enabled.add("CONDSTORE")
        current = {e["id"]: int(e["modseq"]) for e in await state.jmap.get(ids, ["modseq"])}
        stale = {i for i in ids if current.get(i, 0) > request.unchanged_since}
        modified = [
            mailbox.uids[p] if request.uid else p + 1 for p in chosen if mailbox.ids[p] in stale
        ]
        ids = [i for i in ids if i not in stale]
    patch = _patch(request.mode, keywords)
    if ids and (patch or request.mode == ""):
        got = await state.jmap.set_emails(update={i: patch for i in ids})
        failure = set_failure(got)
        if failure is not None:
            raise failure
    condstore = context.condstore
    properties = ["keywords", "modseq"] if condstore else ["keywords"]
    fresh = {e["id"]: e for e in await state.jmap.get(ids, properties)} if ids else {}
    for position in chosen:
        email_id = mailbox.ids[position]
        email = fresh.get(email_id)
        if email is None:
            continue
        mailbox.keywords[email_id] = frozenset(email["keywords"])
        if request.silent and not condstore:
            continue
        # RFC 7162 3.2.4: with QRESYNC every FETCH response carries the UID.
        with_uid = request.uid or context.qresync
        parts = [f"UID {mailbox.uids[position]}".encode()] if with_uid else []
        if not request.silent:
            parts.append(b"FLAGS " + flag_list(flags_of(email["keywords"])))
        if condstore:
            parts.append(f"MODSEQ ({email['modseq']})".encode())
        await context.wire.untagged(f"{position + 1} FETCH (".encode() + b" ".join(parts) + b")")
    if modified:
        return Reply("some messages changed meanwhile", f"MODIFIED {compress(modified)}")
    return Reply("stored")
