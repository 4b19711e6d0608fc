"""bodyValues: transfer and charset decoding, truncation (RFC 8621 4.1.4, 4.2)."""

from __future__ import annotations

import msgspec
import pytest

from api.mime.body_values import (
    EmailBodyValue,
    body_value,
    decode_charset,
    decode_transfer,
    truncate_utf8,
)
from api.mime.email_view import parse_email


@pytest.mark.parametrize(
    ("data", "encoding", "expected", "problem"),
    [
        (b"aGVsbG8=", "base64", b"hello", False),
        (b"aGVs\r\nbG8=\r\n", "BASE64", b"hello", False),
        (b"aGVsbG8", "base64", b"hello", False),  # missing padding is common and harmless
        (b"aGVs!bG8=", "base64", b"hello", True),
        (b"aGVsbG8=====", "base64", b"hello", True),
        (b"aGVsbG8=x", "base64", b"hello1", True),  # "=" mid-stream dropped, then decoded
        (b"a", "base64", b"", True),
        (b"caf=C3=A9 =\r\nsoft", "quoted-printable", b"caf\xc3\xa9 soft", False),
        (b"=ZZ bad escape", "quoted-printable", b"=ZZ bad escape", False),
        (b"8bit \xe9", "8bit", b"8bit \xe9", False),
        (b"raw", "binary", b"raw", False),
        (b"raw", "x-uuencode", b"raw", False),
        (b"raw", None, b"raw", False),
    ],
)
def test_decode_transfer(data: bytes, encoding: str | None, expected: bytes, problem: bool) -> None:
    assert decode_transfer(data, encoding) == (expected, problem)


@pytest.mark.parametrize(
    ("data", "charset", "expected", "problem"),
    [
        (b"caf\xc3\xa9", "utf-8", "café", False),
        (b"caf\xc3\xa9", "UTF8", "café", False),
        (b"caf\xe9", "iso-8859-1", "café", False),
        (b"\x80 price", "iso-8859-1", "€ price", False),  # read as windows-1252 (WHATWG)
        (b"\x93quoted\x94", "windows-1252", "\u201cquoted\u201d", False),
        (b"caf\xc3\xa9", None, "café", False),  # unlabelled 8-bit: UTF-8
        (b"caf\xc3\xa9", "us-ascii", "café", False),
        (b"caf\xe9", "us-ascii", "caf\ufffd", True),
        (b"caf\xc3\xa9", "x-no-such-charset", "café", True),
        (b"caf\xe9", "x-no-such-charset", "caf\ufffd", True),
        (b"abc", "zlib", "abc", True),  # a codec, but not a charset
        (b"abc", "punycode", "abc", True),
        (b"\xc3\x28", "utf-8", "\ufffd(", True),
        (b"\x82\xa0", "shift_jis", "\u3042", False),
    ],
)
def test_decode_charset(data: bytes, charset: str | None, expected: str, problem: bool) -> None:
    assert decode_charset(data, charset) == (expected, problem)


@pytest.mark.parametrize(
    ("value", "limit", "expected", "truncated"),
    [
        ("hello", 0, "hello", False),
        ("hello", 5, "hello", False),
        ("hello", 3, "hel", True),
        ("café", 4, "caf", True),  # é is two octets: never split
        ("café", 5, "café", False),
        ("a€b", 3, "a", True),
        ("a€b", 4, "a€", True),
        ("😀😀", 7, "😀", True),
    ],
)
def test_truncate_utf8(value: str, limit: int, expected: str, truncated: bool) -> None:
    assert truncate_utf8(value, limit) == (expected, truncated)


def test_body_value_combines_the_steps() -> None:
    assert body_value(b"Y2Fmw6k=", "base64", "utf-8", 4) == EmailBodyValue(
        value="caf", is_encoding_problem=False, is_truncated=True
    )
    assert body_value(b"Y2Fm6Q==", "base64", "bogus", 0) == EmailBodyValue(
        value="caf\ufffd", is_encoding_problem=True, is_truncated=False
    )


def test_body_values_of_a_message() -> None:
    raw = (
        b"Content-Type: multipart/alternative; boundary=a\r\n\r\n"
        b"--a\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n"
        b"--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>caf\xc3\xa9</p>\r\n"
        b"--a--\r\n"
    )
    parsed = parse_email(raw)
    values = parsed.body_values(["1", "2", "9"], 0)
    assert values == {
        "1": EmailBodyValue(value="café", is_encoding_problem=False, is_truncated=False),
        "2": EmailBodyValue(value="<p>café</p>", is_encoding_problem=False, is_truncated=False),
    }
    assert msgspec.json.encode(values["1"]) == (
        b'{"value":"caf\xc3\xa9","isEncodingProblem":false,"isTruncated":false}'
    )


@pytest.mark.parametrize("cte", ["base64", "BASE64", " base64 (by a robot)", "base64\r\n "])
def test_transfer_encoding_field_is_read_leniently(cte: str) -> None:
    raw = f"Content-Type: text/plain\r\nContent-Transfer-Encoding:{cte}\r\n\r\naGk=\r\n".encode()
    parsed = parse_email(raw)
    assert parsed.part_bytes("1") == b"hi"
    assert parsed.body_values(["1"])["1"].value == "hi"
