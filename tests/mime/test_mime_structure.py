"""bodyStructure and the textBody/htmlBody/attachments algorithm (RFC 8621 4.1.4)."""

from __future__ import annotations

import pytest

from api.mime.email_view import ParsedEmail, parse_email
from api.mime.parts import MAX_DEPTH, ParseBudget
from api.mime.structure import EmailBodyPart, leaves


def _mime(content_type: str, body: str, extra: str = "") -> str:
    return f"Content-Type: {content_type}\r\n{extra}\r\n{body}"


def _multipart(subtype: str, boundary: str, *parts: str, extra: str = "") -> str:
    inner = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts)
    return _mime(f'multipart/{subtype}; boundary="{boundary}"', f"{inner}--{boundary}--\r\n", extra)


def _labels(parsed: ParsedEmail, parts: list[EmailBodyPart]) -> list[str]:
    """Each part by its filename, else its content."""
    return [p.name or (parsed.part_bytes(p.part_id or "") or b"").decode() for p in parts]


def _inline(content_type: str, body: str) -> str:
    return _mime(content_type, body, "Content-Disposition: inline\r\n")


def _named(content_type: str, name: str, disposition: str = "inline") -> str:
    return _mime(content_type, name, f"Content-Disposition: {disposition}; filename={name}\r\n")


# The example of 4.1.4: each part's content is the RFC's letter for it.
RFC_EXAMPLE = _multipart(
    "mixed",
    "b1",
    _inline("text/plain", "A"),
    _multipart(
        "mixed",
        "b2",
        _multipart(
            "alternative",
            "b3",
            _multipart(
                "mixed",
                "b4",
                _inline("text/plain", "B"),
                _inline("image/jpeg", "C"),
                _inline("text/plain", "D"),
            ),
            _multipart(
                "related",
                "b5",
                _mime("text/html", "E"),
                _mime("image/jpeg", "F"),
            ),
        ),
        _mime("image/jpeg", "G", "Content-Disposition: attachment\r\n"),
        _mime("application/x-excel", "H"),
        _mime("message/rfc822", "J"),
    ),
    _inline("text/plain", "K"),
)

CASES: list[tuple[str, str, list[str], list[str], list[str]]] = [
    (
        "rfc 8621 example",
        RFC_EXAMPLE,
        ["A", "B", "C", "D", "K"],
        ["A", "E", "K"],
        ["C", "F", "G", "H", "J"],
    ),
    ("plain text", _mime("text/plain", "hi"), ["hi"], ["hi"], []),
    ("no content-type", "Subject: x\r\n\r\nhi", ["hi"], ["hi"], []),
    (
        "alternative",
        _multipart("alternative", "a", _mime("text/plain", "t"), _mime("text/html", "h")),
        ["t"],
        ["h"],
        [],
    ),
    (
        "alternative html only",
        _multipart("alternative", "a", _mime("text/html", "h")),
        ["h"],
        ["h"],
        [],
    ),
    (
        "mixed with attachment",
        _multipart(
            "mixed", "m", _mime("text/plain", "t"), _named("application/pdf", "a.pdf", "attachment")
        ),
        ["t"],
        ["t"],
        ["a.pdf"],
    ),
    (
        "text with a filename after the first part is an attachment",
        _multipart("mixed", "m", _mime("text/plain", "t"), _named("text/plain", "notes.txt")),
        ["t"],
        ["t"],
        ["notes.txt"],
    ),
    (
        "related with inline image",
        _multipart(
            "related",
            "r",
            _multipart("alternative", "a", _mime("text/plain", "t"), _mime("text/html", "h")),
            _mime("image/png", "png", "Content-ID: <logo@x>\r\nContent-Disposition: inline\r\n"),
        ),
        ["t"],
        ["h"],
        ["png"],
    ),
    (
        "nested message/rfc822 attachment is a leaf",
        _multipart(
            "mixed",
            "m",
            _mime("text/plain", "t"),
            _mime("message/rfc822", _multipart("mixed", "inner", _mime("text/plain", "x"))),
        ),
        ["t"],
        ["t"],
        [_multipart("mixed", "inner", _mime("text/plain", "x"))],
    ),
    (
        "digest defaults to message/rfc822",
        _multipart("digest", "d", "\r\nSubject: one\r\n\r\n1", "\r\nSubject: two\r\n\r\n2"),
        [],
        [],
        ["Subject: one\r\n\r\n1", "Subject: two\r\n\r\n2"],
    ),
    (
        "multipart without boundary reads as text",
        _mime("multipart/mixed", "--x\r\nbody"),
        ["--x\r\nbody"],
        ["--x\r\nbody"],
        [],
    ),
    (
        "boundary never seen reads as text",
        _mime("multipart/mixed; boundary=zzz", "--x\r\nbody"),
        ["--x\r\nbody"],
        ["--x\r\nbody"],
        [],
    ),
]


@pytest.mark.parametrize(
    ("raw", "text", "html", "attachments"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_body_lists(raw: str, text: list[str], html: list[str], attachments: list[str]) -> None:
    parsed = parse_email(raw.encode())
    assert _labels(parsed, parsed.text_body) == text
    assert _labels(parsed, parsed.html_body) == html
    assert _labels(parsed, parsed.attachments) == attachments


def test_leaf_part_ids_and_multipart_nulls() -> None:
    parsed = parse_email(RFC_EXAMPLE.encode())
    assert [p.part_id for p in leaves(parsed.body_structure)] == [str(i) for i in range(1, 11)]
    assert parsed.body_structure.part_id is None
    assert parsed.body_structure.type == "multipart/mixed"


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf", "résumé.pdf"),
        (
            'Content-Disposition: attachment; filename*0="long"; filename*1="name.txt"',
            "longname.txt",
        ),
        (
            "Content-Disposition: attachment; filename*0*=utf-8''%C3%A9t%C3%A9; filename*1=.doc",
            "été.doc",
        ),
        ('Content-Disposition: attachment; filename="=?UTF-8?Q?caf=C3=A9?=.txt"', "café.txt"),
        ("Content-Disposition: attachment", None),
    ],
)
def test_rfc2231_and_encoded_names(header: str, name: str | None) -> None:
    raw = f"Content-Type: application/octet-stream\r\n{header}\r\n\r\nx".encode()
    assert parse_email(raw).body_structure.name == name


def test_name_from_content_type_and_fields() -> None:
    raw = (
        b"Content-Type: Text/HTML; name=page.html\r\n"
        b"Content-ID: <part1@example.com>\r\n"
        b"Content-Language: en, fr\r\n"
        b"Content-Location: http://x.test/page\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        b"PGI+aGk8L2I+\r\n"
    )
    part = parse_email(raw).body_structure
    assert (part.type, part.name, part.charset) == ("text/html", "page.html", "us-ascii")
    assert (part.cid, part.language, part.location) == (
        "part1@example.com",
        ["en", "fr"],
        "http://x.test/page",
    )
    assert part.size == len(b"<b>hi</b>")
    assert part.disposition is None


def test_charset_defaults() -> None:
    text = parse_email(_mime("text/plain", "x").encode()).body_structure
    binary = parse_email(_mime("application/pdf", "x").encode()).body_structure
    given = parse_email(_mime("text/plain; charset=ISO-8859-1", "x").encode()).body_structure
    assert (text.charset, binary.charset, given.charset) == ("us-ascii", None, "ISO-8859-1")
    digest = _multipart("digest", "d", "\r\nSubject: one\r\n\r\n1")
    assert parse_email(digest.encode()).attachments[0].charset == "us-ascii"


def test_nesting_is_capped() -> None:
    raw = (
        b"".join(
            b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
            for i in range(50)
        )
        + b"Content-Type: text/plain\r\n\r\ndeep"
    )
    parsed = parse_email(raw)
    depth, part = 0, parsed.body_structure
    while part.sub_parts:
        depth, part = depth + 1, part.sub_parts[0]
    assert depth == MAX_DEPTH
    assert part.type == "application/octet-stream"
    assert part.part_id == "1"


def test_part_bytes_are_exact() -> None:
    inner = b"From: a@x.test\r\nSubject: inner\r\n\r\nline one\r\n"
    raw = (
        b"Content-Type: multipart/mixed; boundary=m\r\n\r\npreamble\r\n--m\r\n"
        b"Content-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--m  \r\n"
        b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"AAEC/w==\r\n--m--\r\nepilogue"
    )
    parsed = parse_email(raw)
    assert parsed.part_bytes("1") == inner
    assert parsed.part_bytes("2") == b"\x00\x01\x02\xff"
    assert parsed.part_bytes("3") is None
    assert [p.size for p in parsed.attachments] == [len(inner), 4]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            _multipart(
                "mixed", "m", _mime("text/plain", "t"), _named("application/pdf", "a", "attachment")
            ),
            True,
        ),
        (_mime("text/plain", "t"), False),
        (
            _multipart(
                "related",
                "r",
                _mime("text/html", "h"),
                _mime("image/png", "p", "Content-ID: <c@x>\r\n"),
            ),
            False,
        ),
    ],
)
def test_has_attachment(raw: str, expected: bool) -> None:
    assert parse_email(raw.encode()).has_attachment is expected


def test_unquoted_boundary_with_equals_sign() -> None:
    raw = (
        b"Content-Type: multipart/mixed; boundary=----=_NextPart_000_0001\r\n\r\n"
        b"------=_NextPart_000_0001\r\nContent-Type: text/plain\r\n\r\none\r\n"
        b"------=_NextPart_000_0001\r\nContent-Type: text/plain; name=two.txt\r\n\r\ntwo\r\n"
        b"------=_NextPart_000_0001--\r\n"
    )
    parsed = parse_email(raw)
    assert [p.part_id for p in leaves(parsed.body_structure)] == ["1", "2"]
    assert [p.name for p in parsed.attachments] == ["two.txt"]


def test_part_count_is_capped() -> None:
    many = ParseBudget.MAX_PARTS + 1
    raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + b"--b\r\n\r\nx\r\n" * many
    part = parse_email(raw).body_structure
    assert (part.type, part.part_id, part.sub_parts) == ("application/octet-stream", "1", None)
    fits = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + b"--b\r\n\r\nx\r\n" * (many - 1)
    assert len(parse_email(fits).body_structure.sub_parts or []) == many - 1
