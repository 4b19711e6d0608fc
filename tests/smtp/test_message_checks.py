"""content_problem against its definition: every CR and LF in a CRLF, no NUL."""

from __future__ import annotations

import itertools
import re

import pytest

from compat.smtp.message_checks import content_problem
from compat.smtp.replies import Reply

_BARE_LF = re.compile(rb"(?<!\r)\n")
_BARE_CR = re.compile(rb"\r(?!\n)")


def _by_definition(raw: bytes) -> Reply | None:
    if b"\x00" in raw:
        return Reply.NUL
    if _BARE_LF.search(raw) or _BARE_CR.search(raw):
        return Reply.BARE_LF
    return None


def test_every_short_string_of_cr_lf_nul_and_text() -> None:
    for length in range(7):
        for octets in itertools.product([b"a", b"\r", b"\n", b"\x00"], repeat=length):
            raw = b"".join(octets)
            assert content_problem(raw) == _by_definition(raw), raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"Subject: x\r\n\r\nbody\r\n", None),
        (b"a\nb\r\n", Reply.BARE_LF),
        (b"a\rb\r\n", Reply.BARE_LF),
        (b"a\r\r\n", Reply.BARE_LF),
        (b"a\r\n\n", Reply.BARE_LF),
        (b"a\x00\r\n", Reply.NUL),
        (b"", None),
    ],
)
def test_examples(raw: bytes, expected: Reply | None) -> None:
    assert content_problem(raw) == expected
