"""Which UIDs VANISHED (EARLIER) names (compat/imap/vanished.py, RFC 7162 3.2.5.2, 3.2.6),
as tables: the store keeps only a mailbox's last expunge modseq, not the UIDs."""

from __future__ import annotations

import pytest

from compat.imap.proto.qresync import Qresync
from compat.imap.proto.sequence import parse_sequence_set
from compat.imap.vanished import absent_uids, select_vanished, uid_fetch_vanished


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
    assert select_vanished(request_, _NOW, 9, expunged_at) == vanished


def test_uid_fetch_vanished() -> None:
    assert uid_fetch_vanished(parse_sequence_set("1:*"), 20, _NOW, 21) == "1,4,6:7"
    assert uid_fetch_vanished(parse_sequence_set("3:6"), 20, _NOW, 21) == "4,6"
    assert uid_fetch_vanished(parse_sequence_set("1:*"), 21, _NOW, 21) == ""
    assert uid_fetch_vanished(parse_sequence_set("1:*"), 0, [], 1) == "1"
