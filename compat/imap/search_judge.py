"""A SEARCH key made once into a test of one message (RFC 9051 6.4.4): flags, sequence
numbers and UIDs, sizes and dates. Header and text keys were answered by Email/query
before and are looked up by id.

Made into nested closures once per command rather than walked per message: a SORT of
16,000 messages paid more in walking the key than in sorting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime

from compat.imap.flags import keyword_of
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
from compat.imap.sortable import Facts

__all__ = ["Test", "compile_key"]

# (sequence number, UID, email id, keywords, facts) -> whether the key holds.
Test = Callable[[int, int, str, frozenset[str], Facts], bool]


def _day(stamp: str | None) -> date | None:
    if stamp is None:
        return None
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC).date()


def _date_test(key: DateKey) -> Test:
    field, day = ("sentAt" if key.sent else "receivedAt"), key.day
    compare: Callable[[date], bool] = {
        "before": lambda d: d < day,
        "on": lambda d: d == day,
        "since": lambda d: d >= day,
    }[key.op]

    def test(seq: int, uid: int, email_id: str, keywords: frozenset[str], facts: Facts) -> bool:
        found = _day(facts.email[field])
        return found is not None and compare(found)

    return test


def compile_key(
    key: SearchKey, headers: Mapping[HeaderKey | TextKey, set[str]], count: int, largest: int
) -> Test:
    """The test of `key`; `headers` holds the ids each header or text key matched,
    `count` and `largest` are the session's message count and largest UID (for `*`)."""

    def made(key: SearchKey) -> Test:
        return compile_key(key, headers, count, largest)

    if isinstance(key, All):
        return lambda seq, uid, email_id, keywords, facts: True
    if isinstance(key, And):
        tests = [made(k) for k in key.keys]
        return lambda *message: all(test(*message) for test in tests)
    if isinstance(key, Or):
        left, right = made(key.left), made(key.right)
        return lambda *message: left(*message) or right(*message)
    if isinstance(key, Not):
        inner = made(key.key)
        return lambda *message: not inner(*message)
    if isinstance(key, Flag):
        keyword, present = keyword_of(key.flag), key.present
        return lambda seq, uid, email_id, keywords, facts: (keyword in keywords) == present
    if isinstance(key, SeqKey):
        sequence = key.sequence
        if key.uid:
            return lambda seq, uid, email_id, keywords, facts: sequence.contains(uid, largest)
        return lambda seq, uid, email_id, keywords, facts: sequence.contains(seq, count)
    if isinstance(key, HeaderKey | TextKey):
        matched = headers[key]
        return lambda seq, uid, email_id, keywords, facts: email_id in matched
    if isinstance(key, SizeKey):
        size, larger = key.size, key.larger
        if larger:
            return lambda seq, uid, email_id, keywords, facts: int(facts.email["size"]) > size
        return lambda seq, uid, email_id, keywords, facts: int(facts.email["size"]) < size
    if isinstance(key, DateKey):
        return _date_test(key)
    raise AssertionError(f"unknown search key {key!r}")
