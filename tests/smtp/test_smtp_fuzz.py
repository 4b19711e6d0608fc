"""Random command lines at a real MX socket (RFC 5321 4.2, RFC 2034): every reply is a
well-formed SMTP reply, never a 451 for the client's own bad input, and a valid
transaction afterwards on the same connection is still stored."""

from __future__ import annotations

import asyncio
import logging
import re
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.smtp_node import SmtpNode

MESSAGE = b"From: a@good.test\r\nTo: alice@example.org\r\nSubject: fuzz\r\n\r\nbody\r\n"
# Commands that keep the session in command mode whatever their argument; DATA, BDAT,
# AUTH and STARTTLS switch the stream to another mode and have their own tests.
VERBS = [b"EHLO", b"HELO", b"MAIL FROM:", b"RCPT TO:", b"VRFY", b"NOOP", b"RSET", b"HELP"]
VERBS += [b"EXPN", b"MAIL FROM:<a@good.test>", b"RCPT TO:<alice@example.org>", b""]
# One reply line: a code, a separator, text in printable ASCII (RFC 5321 4.2).
REPLY_LINE = re.compile(rb"^[2345]\d\d[ -][\x20-\x7e]*$")
# Every refusal carries an RFC 3463 code (RFC 2034 exempts only the greeting and the
# EHLO/HELO 250 lines).
ENHANCED = re.compile(rb"^([45])\d\d [45]\.\d{1,3}\.\d{1,3} ")


def _one_line(octets: bytes) -> bytes:
    return octets.replace(b"\n", b"").replace(b"\r", b"")


# UTF-8 text that is often digits of other scripts ("²", "٣") or letters ("é").
utf8 = st.text(
    st.characters(categories=["Nd", "No", "Ll", "Lu", "Po"]) | st.sampled_from("²٣é<>@=: "),
    max_size=12,
).map(lambda text: text.encode("utf-8"))
address = st.tuples(utf8, st.sampled_from([b"@", b""]), utf8 | st.just(b"good.test")).map(
    lambda parts: b"<" + b"".join(parts) + b">"
)
keyword = st.sampled_from([b"SIZE", b"BODY", b"SMTPUTF8", b"AUTH", b"RET", b"NOTIFY", b"X"])
parameter = st.tuples(keyword, st.sampled_from([b"", b"="]), utf8 | st.binary(max_size=6)).map(
    lambda parts: b" " + b"".join(parts)
)
# Octets of an argument: anything but the line end, often 8-bit.
argument = (
    st.binary(max_size=40)
    | utf8
    | st.tuples(address, st.lists(parameter, max_size=3)).map(lambda a: a[0] + b"".join(a[1]))
).map(_one_line)
garbage_line = st.tuples(st.sampled_from(VERBS), argument).map(
    lambda pair: pair[0] + (b" " if pair[0] else b"") + pair[1] + b"\r\n"
)
# aiosmtpd hangs up after five unknown commands (BOGUS_LIMIT); stay under it.
garbage = st.lists(garbage_line, min_size=1, max_size=4)

VALID = [
    b"RSET\r\n",
    b"EHLO client.good.test\r\n",
    b"MAIL FROM:<a@good.test>\r\n",
    b"RCPT TO:<alice@example.org>\r\n",
    b"DATA\r\n",
    MESSAGE + b".\r\n",
    b"QUIT\r\n",
]


def _talk(port: int, lines: list[bytes]) -> list[bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"".join(lines))
        received = b""
        while not received.endswith(b"\r\n") or not received.split(b"\r\n")[-2].startswith(b"221"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received.split(b"\r\n")[:-1]


# Each example stores one message; the MX allows 300 a minute from one address.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=garbage)
async def test_random_command_lines_get_protocol_replies(
    node: SmtpNode, lines: list[bytes], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="sealbox.smtp"):
        replies = await asyncio.to_thread(_talk, node.mx_port, [*lines, *VALID])
    for line in replies:
        assert REPLY_LINE.match(line), (lines, line)
        assert not line.startswith(b"451"), (lines, line)
        if line[:1] in b"45":
            assert ENHANCED.match(line) and line[0] == line[4], (lines, line)
    assert b"250 2.0.0 message stored" in replies, (lines, replies)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], lines
