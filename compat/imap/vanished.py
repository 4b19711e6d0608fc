"""Which UIDs to report as VANISHED (EARLIER) (RFC 7162 3.2.5.2, 3.2.6, 3.2.10).

The store keeps no UID of a message once it has left a mailbox, only the mailbox's last
expunge modseq. So, as 3.2.5.2 allows, a client whose modseq is at or past that last
expunge hears of nothing; otherwise it hears of every UID it named (its known-uids, the
UID FETCH set, or 1:UIDNEXT-1) that is not in the mailbox now, narrowed by the
sequence match data: a pair (n, u) that still holds means nothing up to u went.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from compat.imap.proto.qresync import Qresync
from compat.imap.proto.sequence import SequenceSet, format_ranges

__all__ = ["absent_uids", "select_vanished", "uid_fetch_vanished", "vanished_lines"]

Ranges = list[tuple[int, int]]
# Ranges per VANISHED line: a mailbox with years of scattered gaps gives several lines of
# a few kilobytes rather than one of megabytes (clients read a line whole).
_RANGES_PER_LINE = 500


def vanished_lines(ranges: Ranges, *, earlier: bool) -> list[bytes]:
    """`VANISHED [(EARLIER)] uid-set` responses (without `* `) for the ranges."""
    head = b"VANISHED (EARLIER) " if earlier else b"VANISHED "
    return [
        head + format_ranges(ranges[start : start + _RANGES_PER_LINE]).encode()
        for start in range(0, len(ranges), _RANGES_PER_LINE)
    ]


def _merged(ranges: Ranges, floor: int, ceiling: int) -> Ranges:
    """Ranges clipped to floor..ceiling, sorted, overlaps joined."""
    out: Ranges = []
    for low, high in sorted((max(low, floor), min(high, ceiling)) for low, high in ranges):
        if low > high:
            continue
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out


def absent_uids(ranges: Ranges, present: Sequence[int]) -> Ranges:
    """The parts of `ranges` (sorted, disjoint) holding none of sorted `present`: one
    bisect per range and a step per present UID inside it, never a step per UID named."""
    out: Ranges = []
    for low, high in ranges:
        start = low
        for uid in present[bisect_left(present, low) : bisect_right(present, high)]:
            if uid > start:
                out.append((start, uid - 1))
            start = uid + 1
        if start <= high:
            out.append((start, high))
    return out


def _matched_floor(pairs: Sequence[tuple[int, int]], present: Sequence[int]) -> int:
    """The largest UID u of a pair (n, u) that holds now: message n still has UID u, so
    no message below u left (none can have joined below it: UIDs only grow)."""
    floor = 0
    for number, uid in pairs:
        if number <= len(present) and present[number - 1] == uid:
            floor = max(floor, uid)
    return floor


def select_vanished(
    request: Qresync, present: Sequence[int], uid_next: int, expunged_modseq: int
) -> Ranges:
    """SELECT (QRESYNC ...)'s VANISHED (EARLIER) UIDs, none when none went since (3.2.5)."""
    if expunged_modseq <= request.modseq:
        return []
    last = uid_next - 1
    named = [(1, last)] if request.known_uids is None else request.known_uids.resolve(last)
    floor = _matched_floor(request.seq_match, present) + 1
    return absent_uids(_merged(named, floor, last), present)


def uid_fetch_vanished(
    sequence: SequenceSet, changed_since: int, present: Sequence[int], expunged_modseq: int
) -> Ranges:
    """UID FETCH ... (CHANGEDSINCE m VANISHED)'s VANISHED (EARLIER) UIDs (3.2.6)."""
    if expunged_modseq <= changed_since:
        return []
    largest = present[-1] if present else 0
    return absent_uids(_merged(sequence.resolve(largest), 1, 2**32 - 1), present)
