"""Which UIDs VANISHED (EARLIER) names (compat/imap/vanished.py, RFC 7162 3.2.5.2, 3.2.6),
as tables: the store keeps only a mailbox's last expunge modseq, not the UIDs."""

from __future__ import annotations

import pytest

from compat.imap.proto.qresync import Qresync
from compat.imap.proto.sequence import format_ranges, parse_sequence_set, ranges_of
from compat.imap.vanished import absent_uids, select_vanished, uid_fetch_vanished, vanished_lines


@pytest.mark.parametrize(
    ("ranges", "present", "absent"),
    [
        ([(1, 10)], [2, 3, 7], [(1, 1), (4, 6), (8, 10)]),
        ([(1, 3)], [1, 2, 3], []),
        ([(1, 4000000000)], [5], [(1, 4), (6, 4000000000)]),  # never a step per UID
        ([(2, 2), (5, 9)], [], [(2, 2), (5, 9)]),
    ],
)
def test_absent_uids(
    ranges: list[tuple[int, int]], present: list[int], absent: list[tuple[int, int]]
) -> None:
    assert absent_uids(ranges, present) == absent


_NOW = [2, 3, 5, 8]  # the mailbox's UIDs now; UIDNEXT 9


@pytest.mark.parametrize(
    ("request_", "expunged_at", "vanished"),
    [
        (Qresync(7, 20), 20, ""),  # nothing left after the client's modseq
        (Qresync(7, 20), 21, "1,4,6:7"),  # no known-uids: 1:UIDNEXT-1
        (Qresync(7, 20, parse_sequence_set("4:6,2:3")), 21, "4,6"),
        (Qresync(7, 20, parse_sequence_set("6:100")), 21, "6:7"),  # not past UIDNEXT
        # (1,2) and (2,3) still hold: nothing up to UID 3 went; (3,4) no longer does.
        (Qresync(7, 20, None, ((1, 2), (2, 3), (3, 4))), 21, "4,6:7"),
        (Qresync(7, 20, None, ((4, 8),)), 21, ""),  # the last still holds
        (Qresync(7, 20, None, ((9, 9),)), 21, "1,4,6:7"),  # beyond the mailbox
    ],
)
def test_select_vanished(request_: Qresync, expunged_at: int, vanished: str) -> None:
    assert format_ranges(select_vanished(request_, _NOW, 9, expunged_at)) == vanished


@pytest.mark.parametrize(
    ("uids", "since", "present", "vanished"),
    [
        ("1:*", 20, _NOW, "1,4,6:7"),  # `*` is the largest UID now (RFC 9051 6.4.8)
        ("3:6", 20, _NOW, "4,6"),
        ("1:*", 21, _NOW, ""),
        ("1:*", 0, [], "1"),
    ],
)
def test_uid_fetch_vanished(uids: str, since: int, present: list[int], vanished: str) -> None:
    got = uid_fetch_vanished(parse_sequence_set(uids), since, present, 21 if present else 1)
    assert format_ranges(got) == vanished


def test_vanished_lines_split_long_sets() -> None:
    scattered = ranges_of(range(1, 3001, 2))  # 1,500 single UIDs
    lines = vanished_lines(scattered, earlier=True)
    assert len(lines) == 3 and all(line.startswith(b"VANISHED (EARLIER) ") for line in lines)
    assert lines[1].split()[-1].split(b",")[0] == b"1001"
    assert vanished_lines(ranges_of([3, 1, 2, 7]), earlier=False) == [b"VANISHED 1:3,7"]
    assert vanished_lines([], earlier=False) == []
