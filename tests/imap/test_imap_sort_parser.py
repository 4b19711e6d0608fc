"""SORT and THREAD arguments (RFC 5256 4) as tables of input and expected result."""

from __future__ import annotations

import pytest

from compat.imap.proto.commands import Sort, SortCriterion, Thread
from compat.imap.proto.parser import CommandError, parse_command
from compat.imap.proto.search_keys import All, And, Flag, HeaderKey, SeqKey
from compat.imap.proto.sequence import SequenceSet

GOOD = [
    (b"a1 SORT (SUBJECT) UTF-8 ALL", Sort(False, (SortCriterion("SUBJECT"),), All())),
    (
        b"a2 UID SORT (REVERSE DATE from) US-ASCII UNSEEN FROM bob",
        Sort(
            True,
            (SortCriterion("DATE", True), SortCriterion("FROM")),
            And((Flag("\\Seen", present=False), HeaderKey("from", "bob"))),
        ),
    ),
    (
        b"a3 SORT (REVERSE ARRIVAL SIZE DISPLAYTO) utf-8 1:5",
        Sort(
            False,
            (SortCriterion("ARRIVAL", True), SortCriterion("SIZE"), SortCriterion("DISPLAYTO")),
            SeqKey(SequenceSet(((1, 5),)), uid=False),
        ),
    ),
    (b"a4 THREAD REFERENCES UTF-8 ALL", Thread(False, "REFERENCES", All())),
    (b"a5 UID THREAD orderedsubject UTF-8 ALL", Thread(True, "ORDEREDSUBJECT", All())),
]

BAD = [
    b"a1 SORT SUBJECT UTF-8 ALL",  # criteria must be a list
    b"a1 SORT () UTF-8 ALL",
    b"a1 SORT (REVERSE) UTF-8 ALL",
    b"a1 SORT (REVERSE REVERSE DATE) UTF-8 ALL",
    b"a1 SORT (COLOUR) UTF-8 ALL",
    b"a1 SORT (DATE) UTF-8",  # the search keys are not optional
    b"a1 THREAD UTF-8 ALL",
    b"a1 THREAD BRANCHES UTF-8 ALL",
]


@pytest.mark.parametrize(("data", "expected"), GOOD)
def test_parses(data: bytes, expected: object) -> None:
    assert parse_command(data).request == expected


@pytest.mark.parametrize("data", BAD)
def test_malformed_is_bad_with_the_tag(data: bytes) -> None:
    with pytest.raises(CommandError) as caught:
        parse_command(data)
    assert (caught.value.tag, caught.value.status) == ("a1", "BAD")


@pytest.mark.parametrize(
    "data",
    [
        b"a1 SORT (DATE) KOI8-R ALL",
        b"a1 THREAD REFERENCES ISO-8859-1 ALL",
        b"a1 SEARCH CHARSET KOI8-R ALL",
    ],
)
def test_an_unknown_charset_is_no_badcharset(data: bytes) -> None:
    # RFC 5256 3 and RFC 9051 6.4.4: a tagged NO naming the charsets we have, not BAD.
    with pytest.raises(CommandError) as caught:
        parse_command(data)
    assert caught.value.status == "NO"
    assert caught.value.code == "BADCHARSET (US-ASCII UTF-8)"
