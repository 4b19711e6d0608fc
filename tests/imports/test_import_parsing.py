"""Tables for the import's readers: source URLs, LIST/SELECT/FETCH answers, folder plans."""

from __future__ import annotations

import pytest

from compat.imap_import.folders import plan_folders
from compat.imap_import.responses import (
    ListedFolder,
    ResponseError,
    parse_fetch_facts,
    parse_internal_date,
    parse_list,
    parse_message,
    uid_validity,
)
from compat.imap_import.source_url import SourceUrlError, parse_source
from compat.imap_import.target import keywords_of, message_id


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("imaps://me@mail.example.com", ("me", "mail.example.com", 993, True)),
        ("imaps://me%40corp.example@h:1993", ("me@corp.example", "h", 1993, True)),
        ("imap://me@h", ("me", "h", 143, False)),
    ],
)
def test_source_urls(url: str, expected: tuple[str, str, int, bool]) -> None:
    got = parse_source(url)
    assert (got.user, got.host, got.port, got.implicit_tls) == expected


@pytest.mark.parametrize(
    "url", ["https://me@h", "imaps://h", "imaps://me:secret@h", "imaps://me@h:port", "h"]
)
def test_bad_source_urls(url: str) -> None:
    with pytest.raises(SourceUrlError):
        parse_source(url)


def test_list_answers() -> None:
    lines = [
        b'(\\HasNoChildren \\Sent) "." "Sent Messages"',
        b'(\\HasChildren) "." Projects',
        b'(\\Noselect \\HasChildren) "/" "[Gmail]"',
        b'(\\HasNoChildren) "." "We \\"q\\" x"',
        b'(\\HasNoChildren) "." Re&AOc-us',
        b"(\\HasNoChildren) NIL {5}",
        bytearray(b"od)d "),
        b"List completed.",
    ]
    folders = parse_list(lines)
    assert [(f.name, f.delimiter) for f in folders] == [
        ("Sent Messages", "."),
        ("Projects", "."),
        ("[Gmail]", "/"),
        ('We "q" x', "."),
        ("Reçus", "."),
        ("od)d ", None),
    ]
    assert folders[0].attributes == {"\\hasnochildren", "\\sent"}
    assert folders[4].wire_name == "Re&AOc-us"


def test_select_and_fetch_answers() -> None:
    assert uid_validity([b"2 EXISTS", b"OK [UIDVALIDITY 1796152471] UIDs valid"]) == 1796152471
    with pytest.raises(ResponseError):
        uid_validity([b"2 EXISTS"])
    facts = parse_fetch_facts(
        [
            b"1 FETCH (UID 7 FLAGS (\\Seen \\Recent $Label1) "
            b'INTERNALDATE "01-Dec-2026 19:14:31 +0100" RFC822.SIZE 19)',
            b'2 FETCH (FLAGS () UID 9 RFC822.SIZE 22 INTERNALDATE " 2-Jan-2025 00:00:00 -0700")',
            b"Fetch completed.",
        ]
    )
    assert [(f.uid, f.flags, f.size) for f in facts] == [
        (7, ("\\Seen", "\\Recent", "$Label1"), 19),
        (9, (), 22),
    ]
    assert facts[0].internal_date == parse_internal_date("01-Dec-2026 18:14:31 +0000")
    assert facts[1].internal_date == parse_internal_date("02-Jan-2025 07:00:00 +0000")
    body = bytearray(b"From: a\r\n\r\n\xff\x00 8-bit\r\n")
    assert parse_message([b"2 FETCH (UID 2 BODY[] {22}", body, b")", b"done"], 2) == body
    assert parse_message([b"2 FETCH (BODY[] {22}", body, b" UID 2)", b"done"], 2) == body
    assert parse_message([b"Fetch completed."], 2) is None


@pytest.mark.parametrize("text", ["32-Foo-2025 00:00:00 +0000", "yesterday", ""])
def test_bad_internal_dates(text: str) -> None:
    with pytest.raises((ResponseError, ValueError)):
        parse_internal_date(text)


def _folder(name: str, *attributes: str, delimiter: str = ".") -> ListedFolder:
    return ListedFolder(name, name, delimiter, frozenset(a.lower() for a in attributes))


def test_folder_plans() -> None:
    plans = plan_folders(
        [
            _folder("INBOX"),
            _folder("INBOX.Receipts"),
            _folder("Sent"),
            _folder("Sent Messages", "\\Sent"),  # the attribute wins over the name
            _folder("Deleted Items"),
            _folder("Spam"),
            _folder("INBOX.Drafts"),
            _folder("Archive", "\\Archive"),
            _folder("[Gmail]", "\\Noselect", delimiter="/"),
            _folder("[Gmail]/All Mail", "\\All", delimiter="/"),
            _folder("[Gmail]/Starred", "\\Flagged", delimiter="/"),
            _folder("a/b.c"),
            _folder("Projects.2026.Q1"),
        ]
    )
    got = {p.source.name: (p.role, p.parts, p.copy) for p in plans}
    assert got == {
        "INBOX": ("inbox", ("INBOX",), True),
        "INBOX.Receipts": (None, ("INBOX", "Receipts"), True),
        "Sent": (None, ("Sent",), True),
        "Sent Messages": ("sent", ("Sent Messages",), True),
        "Deleted Items": ("trash", ("Deleted Items",), True),
        "Spam": ("junk", ("Spam",), True),
        "INBOX.Drafts": ("drafts", ("INBOX", "Drafts"), True),
        "Archive": ("archive", ("Archive",), True),
        "[Gmail]": (None, ("[Gmail]",), False),
        "a/b.c": (None, ("a_b", "c"), True),
        "Projects.2026.Q1": (None, ("Projects", "2026", "Q1"), True),
    }
    assert [len(p.parts) for p in plans] == sorted(len(p.parts) for p in plans)


def test_flags_become_keywords() -> None:
    flags = ["\\Seen", "\\Recent", "\\Answered", "\\Flagged", "\\Draft", "\\Deleted", "$Label1"]
    assert keywords_of([*flags, "\\Unknown", "NonJunk"]) == [
        "$answered",
        "$deleted",
        "$draft",
        "$flagged",
        "$label1",
        "$seen",
        "nonjunk",
    ]


def test_message_id_reads_the_header_only() -> None:
    assert message_id(b"Subject: x\r\nMessage-ID: <a@b>\r\n\r\nMessage-ID: <no@no>\r\n") == "a@b"
    assert message_id(b"Subject: x\r\n\r\nMessage-ID: <no@no>\r\n") is None
