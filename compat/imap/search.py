"""SEARCH and UID SEARCH (RFC 9051 6.4.4, 7.3.4 ESEARCH; RFC 3501 7.2.5 SEARCH).

Header keys (FROM ... SUBJECT, HEADER name value) and TEXT/BODY become Email/query
filters, answered by the account's encrypted index (text, body, header) or the sealed
summaries: only the server can match them. Everything else is judged here against one
Email/get of the mailbox. With search off, TEXT, BODY and HEADER get NO [CANNOT].
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from compat.imap.context import Context, Reply
from compat.imap.flags import keyword_of
from compat.imap.proto.commands import Search
from compat.imap.proto.search_keys import (
    All,
    And,
    DateKey,
    Flag,
    HeaderKey,
    Not,
    Or,
    SearchKey,
    SeqKey,
    SizeKey,
    TextKey,
)
from compat.imap.proto.sequence import compress

__all__ = ["handle_search", "matching"]

_FILTERABLE = frozenset({"from", "to", "cc", "bcc", "subject"})


def _walk(key: SearchKey) -> list[SearchKey]:
    if isinstance(key, Not):
        return [key, *_walk(key.key)]
    if isinstance(key, Or):
        return [key, *_walk(key.left), *_walk(key.right)]
    if isinstance(key, And):
        return [key, *[k for child in key.keys for k in _walk(child)]]
    return [key]


def _day(stamp: str | None) -> date | None:
    if stamp is None:
        return None
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC).date()


class _Judge:
    def __init__(
        self, headers: dict[HeaderKey | TextKey, set[str]], count: int, largest_uid: int
    ) -> None:
        self.headers = headers
        self.count = count
        self.largest_uid = largest_uid

    def __call__(self, key: SearchKey, email: dict[str, Any], seq: int, uid: int) -> bool:
        if isinstance(key, All):
            return True
        if isinstance(key, And):
            return all(self(k, email, seq, uid) for k in key.keys)
        if isinstance(key, Or):
            return self(key.left, email, seq, uid) or self(key.right, email, seq, uid)
        if isinstance(key, Not):
            return not self(key.key, email, seq, uid)
        if isinstance(key, Flag):
            return (keyword_of(key.flag) in email["keywords"]) == key.present
        if isinstance(key, SeqKey):
            if key.uid:
                return key.sequence.contains(uid, self.largest_uid)
            return key.sequence.contains(seq, self.count)
        if isinstance(key, SizeKey):
            size = int(email["size"])
            return size > key.size if key.larger else size < key.size
        if isinstance(key, DateKey):
            day = _day(email["sentAt"] if key.sent else email["receivedAt"])
            if day is None:
                return False
            return {"before": day < key.day, "on": day == key.day, "since": day >= key.day}[key.op]
        if isinstance(key, HeaderKey | TextKey):
            return email["id"] in self.headers[key]
        raise AssertionError(f"unknown search key {key!r}")


def _condition(key: HeaderKey | TextKey) -> dict[str, Any]:
    if isinstance(key, TextKey):
        return {"body" if key.where == "body" else "text": key.value}
    if key.header in _FILTERABLE:
        return {key.header: key.value}
    return {"header": [key.header, key.value]}


def _needs(keys: list[SearchKey]) -> set[str]:
    """The Email/get properties judging these keys takes (none for ALL, UID, sequences)."""
    needs: set[str] = set()
    for key in keys:
        if isinstance(key, Flag):
            needs.add("keywords")
        elif isinstance(key, SizeKey):
            needs.add("size")
        elif isinstance(key, DateKey):
            needs.add("sentAt" if key.sent else "receivedAt")
    return needs


async def matching(
    context: Context, key: SearchKey, properties: Sequence[str] = (), *, current: bool = False
) -> list[tuple[int, int, dict[str, Any]]]:
    """(sequence number, UID, the Email/get `properties`) of each selected message `key`
    holds for, in mailbox order; SEARCH, SORT and THREAD all choose their messages here.

    Only what the keys and `properties` need is read: a 16,000-message Email/get costs
    hundreds of milliseconds, and `SORT (ARRIVAL) UTF-8 ALL` needs no summary opened.
    When the session was just brought `current` (the UID forms), flags are judged from
    its own keywords, so `UID SEARCH UNSEEN` reads nothing."""
    state = context.selected()
    mailbox = state.mailbox
    keys = _walk(key)
    headers: dict[HeaderKey | TextKey, set[str]] = {}
    for each in keys:
        if isinstance(each, HeaderKey | TextKey) and each not in headers:
            condition = {"inMailbox": mailbox.id, **_condition(each)}
            headers[each] = await state.jmap.query_ids(condition)
    needs = _needs(keys) - ({"keywords"} if current else set())
    wanted = sorted(needs | set(properties))
    if wanted:
        emails = {e["id"]: e for e in await state.jmap.get(mailbox.ids, wanted)}
    else:  # nothing to read: every member the session knows is a candidate
        emails = {email_id: {"id": email_id} for email_id in mailbox.ids}
    if current:
        for email_id, fetched in emails.items():
            fetched["keywords"] = mailbox.keywords.get(email_id, frozenset())
    largest = mailbox.uids[-1] if mailbox.uids else 0
    judge = _Judge(headers, len(mailbox.uids), largest)
    found = []
    for index, (uid, email_id) in enumerate(zip(mailbox.uids, mailbox.ids, strict=True)):
        email = emails.get(email_id)
        if email is not None and judge(key, email, index + 1, uid):
            found.append((index + 1, uid, email))
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
