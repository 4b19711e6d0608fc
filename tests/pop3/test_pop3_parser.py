"""The POP3 command parser as a table: line in, request or -ERR text out."""

from __future__ import annotations

import pytest

from compat.pop3.commands import (
    Auth,
    CommandError,
    Numbered,
    Pass,
    Request,
    Simple,
    Top,
    User,
    parse_command,
)

PARSED: list[tuple[bytes, Request]] = [
    (b"STAT", Simple("STAT")),
    (b"stat", Simple("STAT")),
    (b"NOOP", Simple("NOOP")),
    (b"RSET", Simple("RSET")),
    (b"QUIT", Simple("QUIT")),
    (b"CAPA", Simple("CAPA")),
    (b"STLS", Simple("STLS")),
    (b"LIST", Simple("LIST")),
    (b"LIST 3", Numbered("LIST", 3)),
    (b"UIDL", Simple("UIDL")),
    (b"uidl 12", Numbered("UIDL", 12)),
    (b"RETR 1", Numbered("RETR", 1)),
    (b"DELE 9999999999", Numbered("DELE", 9999999999)),
    (b"TOP 2 0", Top(2, 0)),
    (b"TOP 2 10", Top(2, 10)),
    (b"LIST  1 ", Numbered("LIST", 1)),
    (b"STAT ", Simple("STAT")),
    (b"USER alice@example.org", User("alice@example.org")),
    (b"PASS with spaces inside ", Pass("with spaces inside ")),
    (b"AUTH", Auth(None)),
    (b"AUTH plain", Auth("PLAIN")),
    (b"AUTH PLAIN AGFsaWNlAHNlY3JldA==", Auth("PLAIN", "AGFsaWNlAHNlY3JldA==")),
    (b"AUTH PLAIN =", Auth("PLAIN", "=")),
]

REFUSED: list[tuple[bytes, str]] = [
    (b"", "unknown command"),
    (b"HELO there", "unknown command"),
    (b"APOP alice 0123", "unknown command"),
    (b"STAT now", "STAT takes 0 arguments"),
    (b"RETR", "RETR takes 1 argument"),
    (b"RETR 1 2", "RETR takes 1 argument"),
    (b"RETR 0", "message numbers start at 1"),
    (b"RETR -1", "not a number"),
    (b"RETR one", "not a number"),
    (b"RETR \xd9\xa3", "not a number"),  # ARABIC-INDIC DIGIT THREE is not a digit here
    (b"RETR 12345678901", "not a number"),
    (b"TOP 1", "TOP takes 2 arguments"),
    (b"TOP 1 -1", "not a number"),
    (b"USER", "USER takes 1 argument"),
    (b"USER a b", "USER takes 1 argument"),
    (b"PASS", "PASS takes the password"),
    (b"AUTH PLAIN a b", "AUTH takes a mechanism"),
    (b"STAT\x00", "control characters"),
    (b"\x1b[2J", "control characters"),
    (b"\xff\xfe", "commands are ASCII"),
]


@pytest.mark.parametrize(("line", "expected"), PARSED)
def test_parses(line: bytes, expected: Request) -> None:
    assert parse_command(line) == expected


@pytest.mark.parametrize(("line", "text"), REFUSED)
def test_refuses(line: bytes, text: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse_command(line)
    assert text in caught.value.text


def test_secrets_stay_out_of_reprs() -> None:
    assert "hunter2" not in repr(Pass("hunter2"))
    assert "AGFsaWNl" not in repr(Auth("PLAIN", "AGFsaWNlAHNlY3JldA=="))
