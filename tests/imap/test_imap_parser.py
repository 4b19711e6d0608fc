"""The command parser as tables of input and expected result, and a fuzz target."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compat.imap.proto.append_args import MAX_APPEND_MESSAGES
from compat.imap.proto.commands import (
    Append,
    AppendMessage,
    CopyMove,
    Fetch,
    ListMailboxes,
    Login,
    Search,
    Select,
    Simple,
    Store,
    UidExpunge,
)
from compat.imap.proto.fetch_items import BodySection, FetchItem
from compat.imap.proto.mailbox_names import decode_mutf7, encode_mutf7
from compat.imap.proto.parser import CommandError, parse_command
from compat.imap.proto.search_keys import And, Flag, HeaderKey, Not, Or, SeqKey, SizeKey
from compat.imap.proto.sequence import SequenceSet, compress, parse_sequence_set

_PLUS_ONE = timezone(timedelta(hours=1))
_MINUS_FIVE = timezone(timedelta(hours=-5))

GOOD = [
    (b"a1 NOOP", Simple("NOOP")),
    (b"a1 capability", Simple("CAPABILITY")),
    (b'a2 LOGIN alice "p w\\"x"', Login("alice", 'p w"x')),
    (b"a2 LOGIN {5}\r\nalice {3+}\r\npwd", Login("alice", "pwd")),
    (b"a3 SELECT INBOX", Select("INBOX", readonly=False)),
    (b'a3 EXAMINE "Sent Items" (CONDSTORE)', Select("Sent Items", True, True)),
    (
        b"a4 UID FETCH 1:* (UID FLAGS)",
        Fetch(True, SequenceSet(((1, 0),)), (FetchItem("UID"), FetchItem("FLAGS"))),
    ),
    (
        b"a5 FETCH 2,4:6 BODY.PEEK[1.2.MIME]",
        Fetch(
            False,
            SequenceSet(((2, 2), (4, 6))),
            (FetchItem("BODY.PEEK", BodySection(part=(1, 2), text="MIME")),),
        ),
    ),
    (
        b"a5 FETCH 1 (BODY[HEADER.FIELDS.NOT (Received)]<10.20>)",
        Fetch(
            False,
            SequenceSet(((1, 1),)),
            (
                FetchItem(
                    "BODY",
                    BodySection(
                        text="HEADER.FIELDS.NOT", fields=("RECEIVED",), start=10, length=20
                    ),
                ),
            ),
        ),
    ),
    (
        b"a6 FETCH 1 FAST",
        Fetch(
            False,
            SequenceSet(((1, 1),)),
            (FetchItem("FLAGS"), FetchItem("INTERNALDATE"), FetchItem("RFC822.SIZE")),
        ),
    ),
    (
        b"a6 FETCH 1:3 (FLAGS) (CHANGEDSINCE 12)",
        Fetch(False, SequenceSet(((1, 3),)), (FetchItem("FLAGS"),), 12),
    ),
    (
        b"a7 UID STORE 5 -FLAGS.SILENT (\\Deleted $Junk)",
        Store(True, SequenceSet(((5, 5),)), "-", True, ("\\Deleted", "$Junk")),
    ),
    (
        b"a7 STORE 1 (UNCHANGEDSINCE 9) FLAGS \\Seen",
        Store(False, SequenceSet(((1, 1),)), "", False, ("\\Seen",), 9),
    ),
    (
        b"a8 SEARCH OR FROM bob NOT SEEN LARGER 100",
        Search(
            False,
            And((Or(HeaderKey("from", "bob"), Not(Flag("\\Seen", True))), SizeKey(True, 100))),
        ),
    ),
    (
        b"a8 UID SEARCH RETURN (MIN COUNT) CHARSET UTF-8 UID 1:5",
        Search(True, SeqKey(SequenceSet(((1, 5),)), uid=True), ("MIN", "COUNT")),
    ),
    (b"a9 UID MOVE 1:3 Trash", CopyMove(True, "MOVE", SequenceSet(((1, 3),)), "Trash")),
    (b"a9 COPY * Archive", CopyMove(False, "COPY", SequenceSet(((0, 0),)), "Archive")),
    (b"b1 UID EXPUNGE 4:2", UidExpunge(SequenceSet(((4, 2),)))),
    (
        b'b2 LIST "" (INBOX "Sent") RETURN (SPECIAL-USE)',
        ListMailboxes("", ("INBOX", "Sent"), return_special_use=True),
    ),
    (
        b"b3 APPEND Drafts (\\Draft) {3+}\r\nhi!",
        Append("Drafts", (AppendMessage(("\\Draft",), None, b"hi!"),)),
    ),
    # RFC 3502 MULTIAPPEND: each message with its own optional flags and date.
    (
        b'b4 APPEND INBOX (\\Seen) " 1-Dec-2026 09:30:00 +0100" {2+}\r\nm1'
        b" {2+}\r\nm2"
        b' () "02-Dec-2026 10:00:00 -0500" {4}\r\n(x)\r',
        Append(
            "INBOX",
            (
                AppendMessage(("\\Seen",), datetime(2026, 12, 1, 9, 30, tzinfo=_PLUS_ONE), b"m1"),
                AppendMessage((), None, b"m2"),
                AppendMessage((), datetime(2026, 12, 2, 10, tzinfo=_MINUS_FIVE), b"(x)\r"),
            ),
        ),
    ),
]

BAD = [
    (b"", None),
    (b"no-command", None),
    (b"+tag NOOP", None),
    (b"a1 BOGUS", "a1"),
    (b"a1 NOOP extra", "a1"),
    (b"a1 LOGIN onlyone", "a1"),
    (b'a1 LOGIN "unterminated', "a1"),
    (b"a1 LOGIN {99}\r\nshort x", "a1"),
    (b"a1 FETCH 0 FLAGS", "a1"),
    (b"a1 FETCH 1 (FLAGS", "a1"),
    (b"a1 FETCH 1 BODY[9.HEADERX]", "a1"),
    (b"a1 FETCH 1 ALL FAST", "a1"),
    (b"a1 STORE 1 FLAGZ (\\Seen)", "a1"),
    (b"a1 SEARCH FROM", "a1"),
    (b"a1 SEARCH NOPE", "a1"),
    (b"a1 UID NOOP", "a1"),
    (b'a1 APPEND INBOX "not a literal"', "a1"),
    # A MULTIAPPEND whose later message is malformed is refused whole.
    (b"a1 APPEND INBOX {1+}\r\na (\\Seen)", "a1"),
    (b'a1 APPEND INBOX {1+}\r\na "bad date" {1+}\r\nb', "a1"),
    (b"a1 APPEND INBOX {1+}\r\na {1+}\r\nb {1+}\r\nc junk", "a1"),
    (b"a1 APPEND INBOX {1+}\r\na ((\\Seen)) {1+}\r\nb", "a1"),
    (
        b'a1 APPEND INBOX {1+}\r\na "1-Dec-2026 09:30:00 +0100" "2-Dec-2026 09:30:00 +0100" {1+}'
        b"\r\nb",
        "a1",
    ),
    (b"a1 APPEND INBOX" + b" {1+}\r\nm" * (MAX_APPEND_MESSAGES + 1), "a1"),
    (b"a1 SELECT " + b"(" * 40, "a1"),
    (b"a1 LOGIN \xff\xfe x", "a1"),
    (b"a1 FETCH 99999999999 FLAGS", "a1"),
]


@pytest.mark.parametrize(("data", "expected"), GOOD)
def test_parses(data: bytes, expected: object) -> None:
    assert parse_command(data).request == expected


@pytest.mark.parametrize(("data", "tag"), BAD)
def test_refuses_with_the_tag(data: bytes, tag: str | None) -> None:
    with pytest.raises(CommandError) as caught:
        parse_command(data)
    assert caught.value.tag == tag


@pytest.mark.parametrize(
    ("text", "uids", "chosen"),
    [
        ("1:*", [3, 5, 9], [0, 1, 2]),
        ("*", [3, 5, 9], [2]),
        ("10:*", [3, 5, 9], [2]),  # 6.4.8: n:* always includes the largest
        ("4:6,9", [3, 5, 9], [1, 2]),
        ("1", [], []),
    ],
)
def test_sequence_sets(text: str, uids: list[int], chosen: list[int]) -> None:
    assert parse_sequence_set(text).select(uids) == chosen


def test_compress() -> None:
    assert compress([7, 1, 2, 3, 9, 10]) == "1:3,7,9:10"


@pytest.mark.parametrize(
    ("name", "wire"),
    [("Entwürfe", "Entw&APw-rfe"), ("A&B", "A&-B"), ("日本語", "&ZeVnLIqe-"), ("plain", "plain")],
)
def test_modified_utf7(name: str, wire: str) -> None:
    assert encode_mutf7(name) == wire
    assert decode_mutf7(wire) == name


_PIECES = st.sampled_from(
    [b"a1 ", b"UID ", b"FETCH ", b"SEARCH ", b"STORE ", b"LOGIN ", b"APPEND ", b"1:*", b"(", b")",
     b"[", b"]", b"<", b">", b"{3}\r\n", b"{2+}\r\n", b'"', b"\\", b" ", b"BODY[", b"HEADER.FIELDS",
     b"*", b"OR ", b"NOT ", b"\r\n", b"\x00", b"\xff", b"FLAGS", b"+FLAGS", b"INBOX",
     b"SORT ", b"THREAD ", b"(REVERSE DATE) ", b"REFERENCES ", b"UTF-8 ",
     b"SELECT ", b"EXAMINE ", b"QRESYNC ", b"CONDSTORE", b"CHANGEDSINCE ", b"VANISHED", b"7 "]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES | st.binary(max_size=6), max_size=24).map(b"".join))
def test_fuzz_never_crashes(data: bytes) -> None:
    try:
        parse_command(data)
    except CommandError as exc:
        tag = data.partition(b" ")[0].decode("ascii", "replace")
        assert exc.tag in (None, tag)
