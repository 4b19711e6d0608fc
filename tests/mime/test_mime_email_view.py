"""parse_email: the Email properties of RFC 8621 4.1, and the threading keys (RFC 5256 2.1)."""

from __future__ import annotations

import msgspec
import pytest

from api.mime.addresses import EmailAddress
from api.mime.email_view import parse_email
from api.mime.preview import html_to_text
from api.mime.thread_keys import base_subject, thread_keys

MESSAGE = (
    b"Return-Path: <bounce@x.test>\r\n"
    b"From: =?UTF-8?Q?Jos=C3=A9?= <jose@example.com>\r\n"
    b"Sender: list@x.test\r\n"
    b'To: Team: a@x.test, "b c" <b@x.test>;, d@x.test\r\n'
    b"Cc: e@x.test\r\n"
    b"Reply-To: <r@x.test>\r\n"
    b"Subject: Re: [list] Fwd: =?iso-8859-1?q?caf=E9?=\r\n"
    b"Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n"
    b"Message-ID: <abc@x>\r\n"
    b"In-Reply-To: <r2@x>\r\n"
    b"References: <r1@x>\r\n <r2@x>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hello   caf\xc3\xa9\r\n\r\n  world\r\n"
)


def test_convenience_properties() -> None:
    parsed = parse_email(MESSAGE)
    assert parsed.from_ == [EmailAddress(name="José", email="jose@example.com")]
    assert parsed.sender == [EmailAddress(name=None, email="list@x.test")]
    assert [a.email for a in parsed.to or []] == ["a@x.test", "b@x.test", "d@x.test"]
    assert parsed.cc == [EmailAddress(name=None, email="e@x.test")]
    assert parsed.bcc is None
    assert parsed.reply_to == [EmailAddress(name=None, email="r@x.test")]
    assert parsed.subject == "Re: [list] Fwd: café"
    assert parsed.sent_at == "2003-07-01T08:52:37Z"
    assert (parsed.message_id, parsed.in_reply_to) == (["abc@x"], ["r2@x"])
    assert parsed.references == ["r1@x", "r2@x"]
    assert parsed.headers[0].name == "Return-Path"
    assert parsed.headers[-1].value == " text/plain; charset=utf-8"
    assert len(parsed.headers) == 12
    assert parsed.preview == "Hello café world"
    assert parsed.size == len(MESSAGE)
    assert parsed.has_attachment is False


def test_missing_headers_are_null() -> None:
    parsed = parse_email(b"\r\njust a body")
    assert (parsed.subject, parsed.from_, parsed.sent_at, parsed.message_id) == (
        None,
        None,
        None,
        None,
    )
    assert parsed.headers == []
    assert parsed.preview == "just a body"


def test_body_structure_encodes_as_jmap() -> None:
    part = msgspec.to_builtins(parse_email(MESSAGE).body_structure)
    assert part["partId"] == "1"
    assert part["subParts"] is None
    assert part["type"] == "text/plain"
    assert part["charset"] == "utf-8"
    assert set(part) == {
        "partId",
        "blobId",
        "size",
        "headers",
        "name",
        "type",
        "charset",
        "disposition",
        "cid",
        "language",
        "location",
        "subParts",
    }


def test_preview_from_html_only() -> None:
    raw = (
        b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + __import__("base64").encodebytes(
            b"<html><head><title>T</title><style>p{}</style></head><body>"
            b"<p>Hi&nbsp;<b>there</b></p><script>x()</script><!-- no -->"
            + b"word " * 100
            + b"</body></html>"
        )
    )
    preview = parse_email(raw).preview
    assert preview.startswith("Hi there word word")
    assert len(preview) == 256


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>a</p><p>b</p>", " a  b "),
        ("a<br>b", "a b"),
        ("<style>x</style>y", "y"),
        ("<SCRIPT type=x>bad()</script >ok", "ok"),
        ("a<!-- unclosed", "a"),
        ("a<b unclosed", "a"),
        ("&lt;&amp;&#233;", "<&é"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("subject", "base"),
    [
        ("Hello", "hello"),
        ("Re: Hello", "hello"),
        ("RE: re: Fwd: Hello", "hello"),
        ("Re[2]: Hello", "hello"),
        ("[list] Re: Hello", "hello"),
        ("Re: [list] Hello", "hello"),
        ("[list]", "[list]"),
        ("Hello (fwd)", "hello"),
        ("[Fwd: Re: Hello]", "hello"),
        ("AW: Sv: Hello  \t world", "hello world"),
        ("", ""),
        ("Re:", ""),
    ],
)
def test_base_subject(subject: str, base: str) -> None:
    assert base_subject(subject) == base


def test_thread_keys() -> None:
    subject, ids = thread_keys(parse_email(MESSAGE))
    assert subject == "café"
    assert ids == frozenset({"abc@x", "r1@x", "r2@x"})
