"""Table tests of the SMTP argument checks (compat/smtp/command_args.py)."""

from __future__ import annotations

import pytest

from compat.smtp.command_args import (
    ascii_hostname,
    octet_count,
    reply_text,
    size_parameter_problem,
)


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
