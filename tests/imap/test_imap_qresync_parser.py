"""The QRESYNC grammar (RFC 7162 7: select-param, fetch-modifier) as tables of input and
expected result, beside tests/imap/test_imap_parser.py."""

from __future__ import annotations

import pytest

from compat.imap.proto.commands import Fetch, Select
from compat.imap.proto.fetch_items import FetchItem
from compat.imap.proto.parser import CommandError, parse_command
from compat.imap.proto.qresync import Qresync
from compat.imap.proto.sequence import SequenceSet

_FLAGS = (FetchItem("FLAGS"),)

GOOD = [
    (b"a1 SELECT INBOX (QRESYNC (67890007 20050715194045000))",
     Select("INBOX", False, qresync=Qresync(67890007, 20050715194045000))),
    (b"a1 EXAMINE INBOX (QRESYNC (5 0 41,43:116))",
     Select("INBOX", True, qresync=Qresync(5, 0, SequenceSet(((41, 41), (43, 116)))))),
    # 3.2.5.2: known-uids, then (known-sequence-set known-uid-set), paired in order.
    (b"a1 SELECT INBOX (QRESYNC (5 90 1:20 (1,5:6 2,8:9)))",
     Select("INBOX", False, qresync=Qresync(5, 90, SequenceSet(((1, 20),)),
                                            ((1, 2), (5, 8), (6, 9))))),
    (b"a1 SELECT INBOX (QRESYNC (5 90 (3 7)))",
     Select("INBOX", False, qresync=Qresync(5, 90, None, ((3, 7),)))),
    (b"a1 select Work (condstore qresync (5 90))",
     Select("Work", False, True, Qresync(5, 90))),
    (b"a2 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12 VANISHED)",
     Fetch(True, SequenceSet(((1, 0),)), _FLAGS, 12, vanished=True)),
    (b"a2 UID FETCH 300:500 (FLAGS) (VANISHED CHANGEDSINCE 12)",
     Fetch(True, SequenceSet(((300, 500),)), _FLAGS, 12, vanished=True)),
    (b"a2 FETCH 1 (FLAGS) (CHANGEDSINCE 0)", Fetch(False, SequenceSet(((1, 1),)), _FLAGS, 0)),
]  # fmt: skip

BAD = [
    b"a1 SELECT INBOX (QRESYNC)",
    b"a1 SELECT INBOX (QRESYNC ())",
    b"a1 SELECT INBOX (QRESYNC (5))",
    b"a1 SELECT INBOX (QRESYNC (0 90))",  # uidvalidity is nz-number
    b"a1 SELECT INBOX (QRESYNC (4294967296 90))",
    b"a1 SELECT INBOX (QRESYNC (5 x))",
    b"a1 SELECT INBOX (QRESYNC (5 9223372036854775808))",  # past 63 bits
    b"a1 SELECT INBOX (QRESYNC (5 90 1:*))",  # known-uids take no *
    b"a1 SELECT INBOX (QRESYNC (5 90 1:3 (1:2 4)))",  # the two sets differ in size
    b"a1 SELECT INBOX (QRESYNC (5 90 1:3 (1 2) extra))",
    b"a1 SELECT INBOX (QRESYNC (5 90 1:3 (* 2)))",
    b"a1 SELECT INBOX (QRESYNC (5 90 1:3 (1:100000 1:100000)))",  # no sample
    b"a1 SELECT INBOX (QRESYNC (5 90) QRESYNC (5 90))",
    b"a1 SELECT INBOX (BOGUS)",
    b"a1 SELECT INBOX ()",
    b"a2 FETCH 1:* (FLAGS) (CHANGEDSINCE 12 VANISHED)",  # 3.2.6: UID FETCH only
    b"a2 UID FETCH 1:* (FLAGS) (VANISHED)",  # VANISHED needs CHANGEDSINCE
    b"a2 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED VANISHED)",
    b"a2 UID FETCH 1:* (FLAGS) (CHANGEDSINCE)",
    b"a2 UID FETCH 1:* (FLAGS) (CHANGEDSINCE -1)",
    b"a2 UID FETCH 1:* (FLAGS) ()",
]


@pytest.mark.parametrize(("data", "expected"), GOOD)
def test_parses(data: bytes, expected: object) -> None:
    assert parse_command(data).request == expected


@pytest.mark.parametrize("data", BAD)
def test_refuses_with_the_tag(data: bytes) -> None:
    with pytest.raises(CommandError) as caught:
        parse_command(data)
    assert caught.value.tag == data.split(b" ")[0].decode()
