"""SEARCH and UID SEARCH (RFC 9051 6.4.4, 7.3.4 ESEARCH; RFC 3501 7.2.5 SEARCH).

Header keys (FROM ... SUBJECT, HEADER name value) and TEXT/BODY become Email/query
filters, answered by the account's encrypted index (text, body, header) or the sealed
summaries: only the server can match them. Everything else is judged here: flags by the
session's keywords, sizes and dates by the connection's kept facts (sort_facts.py). With
search off, TEXT, BODY and HEADER get NO [CANNOT].
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from compat.imap.context import Context, Reply
from compat.imap.errors import ImapError
from compat.imap.proto.commands import Search
from compat.imap.proto.search_keys import (
    All,
    And,
    DateKey,
    HeaderKey,
    Not,
    Or,
    SearchKey,
    SizeKey,
    TextKey,
)
from compat.imap.proto.sequence import compress
from compat.imap.search_judge import compile_key
from compat.imap.session import Selected
from compat.imap.sortable import Facts

__all__ = ["handle_search", "matching"]

# What a match carries when nothing but flags and numbers was judged.
_NO_FACTS = Facts({})
_FILTERABLE = frozenset({"from", "to", "cc", "bcc", "subject"})


def _walk(key: SearchKey) -> list[SearchKey]:
    if isinstance(key, Not):
        return [key, *_walk(key.key)]
    if isinstance(key, Or):
        return [key, *_walk(key.left), *_walk(key.right)]
    if isinstance(key, And):
        return [key, *[k for child in key.keys for k in _walk(child)]]
    return [key]


def _condition(key: HeaderKey | TextKey) -> dict[str, Any]:
    if isinstance(key, TextKey):
        return {"body" if key.where == "body" else "text": key.value}
    if key.header in _FILTERABLE:
        return {key.header: key.value}
    return {"header": [key.header, key.value]}


def _needs(keys: list[SearchKey]) -> set[str]:
    """The facts judging these keys takes (none for ALL, UID, sequences, flags)."""
    needs: set[str] = set()
    for key in keys:
        if isinstance(key, SizeKey):
            needs.add("size")
        elif isinstance(key, DateKey):
            needs.add("sentAt" if key.sent else "receivedAt")
    return needs


async def _changes(state: Selected) -> tuple[dict[str, frozenset[str]], set[str]]:
    """The session's members' keywords changed since its last listing, and the members
    gone since: what a command that may not announce them (5.5) judges by."""
    mailbox = state.mailbox
    try:
        changes = await state.jmap.listing(mailbox.id, since=mailbox.highest_modseq)
    except ImapError:
        return {}, set(mailbox.ids)  # the mailbox itself is gone, and every message in it
    keywords, gone = {}, set(changes.removed)
    for uid, email_id, now, _ in changes.rows:
        known = mailbox.uid_of.get(email_id)
        if known is not None and known != uid:
            gone.add(email_id)  # left and came back under a new UID: this message is gone
        elif known is not None:
            keywords[email_id] = now
    return keywords, gone


async def matching(
    context: Context, key: SearchKey, properties: Sequence[str] = (), *, current: bool = False
) -> list[tuple[int, int, Facts]]:
    """(sequence number, UID, facts with `properties`) of each selected message `key`
    holds for, in mailbox order; SEARCH, SORT and THREAD all choose their messages here.

    Flags are judged from the session's keywords: as they are when it was just brought
    `current` (the UID forms), else with the changes since its last listing (one
    Mailbox/imapListing). Other facts never change and come from the connection's
    FactCache, which reads only members it has not seen."""
    state = context.selected()
    mailbox = state.mailbox
    keys = _walk(key)
    headers: dict[HeaderKey | TextKey, set[str]] = {}
    for each in keys:
        if isinstance(each, HeaderKey | TextKey) and each not in headers:
            condition = {"inMailbox": mailbox.id, **_condition(each)}
            headers[each] = await state.jmap.query_ids(condition)
    changed, gone = ({}, set()) if current else await _changes(state)
    live = [i for i in mailbox.ids if i not in gone] if gone else mailbox.ids
    wanted = _needs(keys) | set(properties)
    facts = await context.facts.facts(state.jmap, live, wanted) if wanted else {}
    largest = mailbox.uids[-1] if mailbox.uids else 0
    test = None if isinstance(key, All) else compile_key(key, headers, len(mailbox.uids), largest)
    found = []
    keywords = mailbox.keywords
    for index, (uid, email_id) in enumerate(zip(mailbox.uids, mailbox.ids, strict=True)):
        if email_id in gone:
            continue
        fact = facts.get(email_id, _NO_FACTS)
        if wanted and fact is _NO_FACTS:
            continue  # destroyed since the session last looked
        if test is None or test(
            index + 1, uid, email_id, changed.get(email_id, keywords[email_id]), fact
        ):
            found.append((index + 1, uid, fact))
    return found


async def handle_search(context: Context, request: Search) -> Reply:
    found = await matching(context, request.key, current=request.uid)
    numbers = [uid if request.uid else seq for seq, uid, _ in found]
    returns = request.returns
    if returns is None and "IMAP4REV2" in context.enabled:
        returns = ("ALL",)
    if returns is None:
        await context.wire.untagged(("SEARCH " + " ".join(map(str, numbers))).rstrip().encode())
        return Reply("searched")
    await context.wire.untagged(_esearch(context.tag, request.uid, returns or ("ALL",), numbers))
    return Reply("searched")


def _esearch(tag: str, uid: bool, returns: tuple[str, ...], found: list[int]) -> bytes:
    parts = [f'ESEARCH (TAG "{tag}")'] + (["UID"] if uid else [])
    if found and "MIN" in returns:
        parts.append(f"MIN {min(found)}")
    if found and "MAX" in returns:
        parts.append(f"MAX {max(found)}")
    if "COUNT" in returns:
        parts.append(f"COUNT {len(found)}")
    if found and "ALL" in returns:
        parts.append(f"ALL {compress(found)}")
    return " ".join(parts).encode()
