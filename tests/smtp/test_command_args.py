"""Table tests of the SMTP argument checks (compat/smtp/command_args.py)."""

from __future__ import annotations

import pytest
from aiosmtpd.smtp import SMTP

from compat.smtp.command_args import (
    ascii_hostname,
    octet_count,
    plain_path,
    reply_text,
    size_parameter_problem,
)
from compat.smtp.limits import ClientLimits
from compat.smtp.protocol import SealboxSMTP


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("0", 0),
        ("123", 123),
        ("²", None),
        ("٣", None),
        ("12²", None),
        ("", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1" * 15, int("1" * 15)),
        ("1" * 16, None),
    ],
)
def test_octet_count(word: str, expected: int | None) -> None:
    assert octet_count(word) == expected


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ("", False),
        ("SIZE=100 BODY=8BITMIME", False),
        ("size=100", False),
        ("SIZE=²", True),
        ("SIZE=", True),
        ("SIZE", False),  # aiosmtpd refuses a bare SIZE with its own syntax reply
        ("BODY=7BIT SIZE=1x", True),
    ],
)
def test_size_parameter_problem(parameters: str, expected: bool) -> None:
    assert size_parameter_problem(parameters) is expected


@pytest.mark.parametrize(
    ("hostname", "expected"),
    [
        ("mx.example.org", True),
        ("[192.0.2.1]", True),
        ("é.example", False),
        ("\udcff", False),
        ("a\x00b", False),
        ("two words", False),
    ],
)
def test_ascii_hostname(hostname: str, expected: bool) -> None:
    assert ascii_hostname(hostname) is expected


def test_reply_text_keeps_only_printable_ascii() -> None:
    assert reply_text("502 Could not VRFY <\udc80\x00é>\tok") == "502 Could not VRFY <???>\tok"


_PATHS = [
    "<a@good.test>",
    "<a@good.test> SIZE=100 BODY=8BITMIME",
    "<first.last+tag@sub.good-domain.test>",
    "<A!#$%&'*+/=?^_`{|}~-@X.TEST>  SMTPUTF8",
    "<a..b@good.test>",
    "<.a@good.test>",
    "<a.@good.test>",
    "<a@good..test>",
    "<a@-good.test>",
    "<a@[127.0.0.1]>",
    '<"quoted local"@good.test>',
    "<a@good.test",
    "a@good.test",
    " <a@good.test>",
    "<a(comment)@good.test>",
    "<@relay.test:a@good.test>",
    "<\u00e4@good.test>",
    "<a@good.test>>",
    "<a@good.test>\x00",
    "<a@good.test> (comment) SIZE=1",
    "<a@good.test>\tSIZE=1",
    "<>",
]


@pytest.mark.parametrize("path", _PATHS)
def test_plain_path_agrees_with_aiosmtpd(path: str) -> None:
    """Where the fast path answers, it answers what aiosmtpd's own parser does."""
    plain = plain_path(path)
    assert plain is None or plain == SMTP(None)._getaddr(path)  # type: ignore[arg-type]


def test_plain_path_takes_the_common_forms() -> None:
    assert plain_path("<a@good.test> SIZE=100") == ("a@good.test", "SIZE=100")
    assert plain_path('<"x y"@good.test>') is None
    assert plain_path("<a@[127.0.0.1]>") is None


async def test_a_path_that_breaks_the_header_parser_is_a_syntax_error() -> None:
    """The email package's parser raises IndexError on "a@"; that is a 501, not a 451."""
    session = SealboxSMTP(None, limits=ClientLimits(1, 1))
    assert session._getaddr("a@") == (None, None)
    assert session._getaddr("\x00@") == (None, None)
