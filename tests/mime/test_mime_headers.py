"""Header forms of RFC 8621 4.1.2 and `header:{name}:as{Form}[:all]` (4.1.3), as tables."""

from __future__ import annotations

from typing import Any

import pytest

from api.mime.addresses import EmailAddress, EmailAddressGroup, as_addresses, as_grouped_addresses
from api.mime.fields import RawHeader, split_header_block
from api.mime.headers import (
    as_date,
    as_message_ids,
    as_raw,
    as_text,
    as_urls,
    form_allowed,
    header_value,
    parse_header_property,
)


def _a(name: str | None, email: str) -> EmailAddress:
    return EmailAddress(name=name, email=email)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b" plain", " plain"),
        (b" folded\r\n line", " folded\r\n line"),
        (b" caf\xc3\xa9", " café"),
        (b" bad \xff byte", " bad \ufffd byte"),
    ],
)
def test_as_raw_keeps_octets_and_folding(raw: bytes, expected: str) -> None:
    assert as_raw(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b" Hello world ", "Hello world"),
        (b" folded\r\n  line", "folded  line"),
        (b" =?UTF-8?Q?Caf=C3=A9?= time", "Café time"),
        (b" =?iso-8859-1?q?caf=E9?=", "café"),
        (b" =?utf-8?b?w6lsw6h2ZQ==?=", "élève"),
        (b" =?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab"),  # whitespace between encoded-words goes
        (b" =?utf-8?q?broken", "=?utf-8?q?broken"),
        (b" =?x-unknown?q?abc?=", "abc"),
        (b" 8bit caf\xc3\xa9", "8bit café"),
        (b" latin \xe9", "latin \ufffd"),
        (b"", ""),
    ],
)
def test_as_text(raw: bytes, expected: str) -> None:
    assert as_text(raw) == expected


ADDRESS_CASES: list[tuple[bytes, list[EmailAddress]]] = [
    (
        b" Joe Q. Public <john.q.public@example.com>",
        [_a("Joe Q. Public", "john.q.public@example.com")],
    ),
    (
        b" Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
        [_a("Mary Smith", "mary@x.test"), _a(None, "jdoe@example.org"), _a("Who?", "one@y.test")],
    ),
    (
        b' "Giant; \\"Big\\" Box" <sysservices@example.net>',
        [_a('Giant; "Big" Box', "sysservices@example.net")],
    ),
    (
        b" A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
        [_a("Ed Jones", "c@a.test"), _a(None, "joe@where.test"), _a("John", "jdoe@one.test")],
    ),
    (b" Undisclosed recipients:;", []),
    (
        b" Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
        [_a("Pete", "pete@silly.test")],
    ),
    (b" =?UTF-8?Q?Jos=C3=A9?= <j@x.test>", [_a("José", "j@x.test")]),
    (b" jdoe@example.org (John Doe)", [_a("John Doe", "jdoe@example.org")]),
    (b' "john doe"@example.com', [_a(None, '"john doe"@example.com')]),
    (
        b" \r\n James <j@x.test>,\r\n\tKate <k@x.test>",
        [_a("James", "j@x.test"), _a("Kate", "k@x.test")],
    ),
    (b" ", []),
    (b" (((((((((((((((((((((((((((((((((((", []),
]


@pytest.mark.parametrize(("raw", "expected"), ADDRESS_CASES)
def test_as_addresses(raw: bytes, expected: list[EmailAddress]) -> None:
    assert as_addresses(raw) == expected


def test_as_grouped_addresses_merges_ungrouped_runs() -> None:
    raw = b" a@x.test, B <b@x.test>, Team: c@x.test, d@x.test;, e@x.test, Empty:;"
    assert as_grouped_addresses(raw) == [
        EmailAddressGroup(name=None, addresses=[_a(None, "a@x.test"), _a("B", "b@x.test")]),
        EmailAddressGroup(name="Team", addresses=[_a(None, "c@x.test"), _a(None, "d@x.test")]),
        EmailAddressGroup(name=None, addresses=[_a(None, "e@x.test")]),
        EmailAddressGroup(name="Empty", addresses=[]),
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b" <1234@local.machine.example>", ["1234@local.machine.example"]),
        (b" <a@x> <b@x>\r\n <c@x>", ["a@x", "b@x", "c@x"]),
        (b" <a@x> (comment) <b@x>", ["a@x", "b@x"]),
        (b" bare@example.com", ["bare@example.com"]),
        (b" not an id", None),
        (b"", None),
        (b" <>", None),
    ],
)
def test_as_message_ids(raw: bytes, expected: list[str] | None) -> None:
    assert as_message_ids(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b" Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T15:55:06Z"),
        (b" Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T08:52:37Z"),
        (
            b" Thu,\r\n 13\r\n Feb\r\n 1969\r\n 23:32\r\n -0330 (Newfoundland Time)",
            "1969-02-14T03:02:00Z",
        ),
        (b" 21 Nov 97 09:55:06 GMT", "1997-11-21T09:55:06Z"),
        (b" Fri, 21 Nov 1997 09:55:06 EST", "1997-11-21T14:55:06Z"),
        (b" Fri, 21 Nov 1997 09:55:06 PDT", "1997-11-21T16:55:06Z"),
        (b" Fri, 21 Nov 1997 09:55:06 UT", "1997-11-21T09:55:06Z"),
        (b" Fri, 21 Nov 1997 09:55:06 -0000", "1997-11-21T09:55:06Z"),
        (b" Fri, 21 Nov 1997 09:55 +0000", "1997-11-21T09:55:00Z"),
        (b" yesterday", None),
        (b" Fri, 99 Nov 1997 09:55:06 +0000", None),
        (b"", None),
    ],
)
def test_as_date(raw: bytes, expected: str | None) -> None:
    assert as_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            b" <mailto:list@host.com?subject=help> (List Instructions)",
            ["mailto:list@host.com?subject=help"],
        ),
        (
            b" <ftp://ftp.host.com/list.txt> (FTP),\r\n <mailto:list@host.com?subject=help>",
            ["ftp://ftp.host.com/list.txt", "mailto:list@host.com?subject=help"],
        ),
        (b" <http://www.host.com/list/\r\n archive/>", ["http://www.host.com/list/archive/"]),
        (b" no urls here", None),
    ],
)
def test_as_urls(raw: bytes, expected: list[str] | None) -> None:
    assert as_urls(raw) == expected


HEADERS = split_header_block(
    b"Received: one\r\n"
    b"Subject: =?utf-8?q?caf=C3=A9?=\r\n"
    b"received: two\r\n"
    b"  folded\r\n"
    b"To: a@x.test\r\n"
)


@pytest.mark.parametrize(
    ("name", "form", "all_values", "expected"),
    [
        ("subject", "Text", False, "café"),
        ("Subject", "Raw", False, " =?utf-8?q?caf=C3=A9?="),
        ("received", "Raw", False, " two\r\n  folded"),
        ("RECEIVED", "Text", True, ["one", "two  folded"]),
        ("To", "Addresses", False, [_a(None, "a@x.test")]),
        ("To", "Addresses", True, [[_a(None, "a@x.test")]]),
        ("Cc", "Addresses", False, None),
        ("Cc", "Addresses", True, []),
        ("X-Missing", "Raw", False, None),
        ("Subject", "MessageIds", False, None),
    ],
)
def test_header_value(name: str, form: Any, all_values: bool, expected: object) -> None:
    assert header_value(HEADERS, name, form, all_values) == expected


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (b"A: 1\r\nB:2\r\n", [("A", b" 1"), ("B", b"2")]),
        (b"A: 1\n two\nB : x\n", [("A", b" 1\n two"), ("B", b" x")]),
        (b" orphan continuation\nnot a header\nC: ok", [("C", b" ok")]),
        (b"X-8bit: caf\xe9\r\n", [("X-8bit", b" caf\xe9")]),
        (b"", []),
    ],
)
def test_split_header_block(block: bytes, expected: list[tuple[str, bytes]]) -> None:
    assert split_header_block(block) == tuple(RawHeader(name=n, raw=r) for n, r in expected)


@pytest.mark.parametrize(
    ("prop", "expected"),
    [
        ("header:Subject", ("Subject", "Raw", False)),
        ("header:Subject:asText", ("Subject", "Text", False)),
        ("header:From:asAddresses:all", ("From", "Addresses", True)),
        ("header:X-Thing:all", ("X-Thing", "Raw", True)),
        ("header:List-Post:asURLs", ("List-Post", "URLs", False)),
        ("header:X:asFoo", None),
        ("header::asText", None),
        ("header:A:asText:extra", None),
        ("subject", None),
    ],
)
def test_parse_header_property(prop: str, expected: object) -> None:
    assert parse_header_property(prop) == expected


@pytest.mark.parametrize(
    ("name", "form", "allowed"),
    [
        ("Subject", "Text", True),
        ("subject", "Addresses", False),
        ("From", "GroupedAddresses", True),
        ("From", "Date", False),
        ("Resent-Date", "Date", True),
        ("References", "MessageIds", True),
        ("List-Unsubscribe", "URLs", True),
        ("Received", "Text", False),
        ("Received", "Raw", True),
        ("X-Custom", "Date", True),
        ("List-Id", "Text", True),
    ],
)
def test_form_allowed(name: str, form: Any, allowed: bool) -> None:
    assert form_allowed(name, form) is allowed
