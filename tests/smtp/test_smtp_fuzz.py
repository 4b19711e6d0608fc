"""Random command lines at a real MX socket (RFC 5321 4.2, RFC 2034): every reply is a
well-formed SMTP reply, never a 451 for the client's own bad input, and a valid
transaction afterwards on the same connection is still stored."""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import socket

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.smtp_node import SmtpNode

MESSAGE = b"From: a@good.test\r\nTo: alice@example.org\r\nSubject: fuzz\r\n\r\nbody\r\n"
# Commands that keep the session in command mode whatever their argument; DATA, BDAT,
# AUTH and STARTTLS switch the stream to another mode and have their own tests.
VERBS = [b"EHLO", b"HELO", b"MAIL FROM:", b"RCPT TO:", b"VRFY", b"NOOP", b"RSET", b"HELP"]
VERBS += [b"EXPN", b"MAIL FROM:<a@good.test>", b"RCPT TO:<alice@example.org>", b""]
# One reply line: a code, a separator, then RFC 5321 4.2's textstring (HT or printable
# ASCII; an echoed tab is legal, anything else from the client is shown as "?").
REPLY_LINE = re.compile(rb"^[2345]\d\d[ -][\t\x20-\x7e]*$")
# Every refusal carries an RFC 3463 code (RFC 2034 exempts only the greeting and the
# EHLO/HELO 250 lines).
ENHANCED = re.compile(rb"^([45])\d\d [45]\.\d{1,3}\.\d{1,3} ")
GOODBYE = (b"221", b"421")
STORED = b"250 2.0.0 message stored"


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


def _replies(sock: socket.socket) -> list[bytes]:
    """Reply lines until the server says goodbye (221, or 421 as it hangs up)."""
    received = b""
    while not received.endswith(b"\r\n") or received.split(b"\r\n")[-2][:3] not in GOODBYE:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return received.split(b"\r\n")[:-1]


def _talk(port: int, lines: list[bytes]) -> list[bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"".join(lines))
        return _replies(sock)


def _fuzz(examples: int) -> settings:
    """Hypothesis settings of these tests: the node fixture serves every example."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


def _well_formed(replies: list[bytes], example: object) -> None:
    for line in replies:
        assert REPLY_LINE.match(line), (example, line)
        assert not line.startswith(b"451"), (example, line)
        if line[:1] in b"45":
            assert ENHANCED.match(line) and line[0] == line[4], (example, line)


def _no_errors_logged(caplog: pytest.LogCaptureFixture, example: object) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], example


# Each example stores one message; the MX allows 300 a minute from one address.
@_fuzz(60)
@given(lines=garbage)
@example(lines=[b"\t\r\n"])  # echoed in the 500: a tab is textstring (a full run found it)
async def test_random_command_lines_get_protocol_replies(
    node: SmtpNode, lines: list[bytes], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="sealbox.smtp"):
        replies = await asyncio.to_thread(_talk, node.mx_port, [*lines, *VALID])
    _well_formed(replies, lines)
    assert STORED in replies, (lines, replies)
    _no_errors_logged(caplog, lines)


ENVELOPE = [b"EHLO client.good.test\r\n", b"MAIL FROM:<a@good.test>\r\n"]
ENVELOPE += [b"RCPT TO:<alice@example.org>\r\n"]


def _dot_stuffed(content: bytes) -> bytes:
    """`content` as a client sends it after DATA (RFC 5321 4.5.2), so it ends only at
    the terminator we add; bare CR and LF stay, as a careless client sends them."""
    lines = content.split(b"\r\n")
    return b"\r\n".join(b"." + line if line.startswith(b".") else line for line in lines)


# Message content: often 8-bit, with bare CR/LF, NUL, dots, long lines and MIME bits.
content_piece = (
    st.binary(max_size=60)
    | utf8
    | st.sampled_from([b"\r\n", b"\n", b"\r", b"\x00", b".", b"..\r\n", b"\r\n.\r\n"])
    | st.sampled_from([b"Content-Type: multipart/mixed; boundary=b\r\n", b"--b\r\n", b"=?"])
    | st.integers(990, 1100).map(lambda n: b"x" * n)
)
content = st.lists(content_piece, max_size=12).map(b"".join)
# BDAT chunks (RFC 3030 2): sizes that are counted right, and arguments that are wrong.
chunk = st.tuples(content, st.booleans()).map(
    lambda pair: b"BDAT %d%s\r\n%s" % (len(pair[0]), b" LAST" if pair[1] else b"", pair[0])
)
bad_bdat = st.sampled_from([b"BDAT\r\n", b"BDAT x\r\n", b"BDAT -1\r\n", b"BDAT \xb2\r\n"])
bdat_lines = st.lists(chunk | bad_bdat, min_size=1, max_size=4)


async def _inbox_size(node: SmtpNode) -> int:
    inbox = await node.alice.mailbox("inbox")
    return len((await node.alice.one("Email/query", filter={"inMailbox": inbox}))["ids"])


async def _each_250_stored_once(node: SmtpNode, session: list[bytes], example: object) -> None:
    """Talk, then: well-formed replies, the valid message after the fuzz stored, and
    as many new emails as 250 replies (nothing lost, nothing stored twice)."""
    before = await _inbox_size(node)
    replies = await asyncio.to_thread(_talk, node.mx_port, [*session, *VALID])
    _well_formed(replies, example)
    assert replies.count(STORED) >= 1, (example, replies)
    assert await _inbox_size(node) - before == replies.count(STORED), (example, replies)


@_fuzz(40)
@given(body=content)
async def test_random_data_content_gets_protocol_replies(
    node: SmtpNode, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    message = b"From: a@good.test\r\nSubject: fuzzed\r\n\r\n" + body + b"\r\n"
    session = [*ENVELOPE, b"DATA\r\n", _dot_stuffed(message) + b".\r\n"]
    with caplog.at_level(logging.ERROR, logger="sealbox.smtp"):
        await _each_250_stored_once(node, session, body)
    _no_errors_logged(caplog, body)


@_fuzz(40)
@given(chunks=bdat_lines)
async def test_random_bdat_chunks_get_protocol_replies(
    node: SmtpNode, chunks: list[bytes], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="sealbox.smtp"):
        await _each_250_stored_once(node, [*ENVELOPE, *chunks], chunks)
    _no_errors_logged(caplog, chunks)


def _talk_tls(node: SmtpNode, lines: list[bytes]) -> list[bytes]:
    """Submission after STARTTLS: `lines`, then "*" (RFC 4954 4: ends an exchange left
    open; outside one it is an unknown command) and QUIT; the replies after STARTTLS's."""
    with socket.create_connection(("127.0.0.1", node.submission_port), timeout=30) as plain:
        reader = plain.makefile("rb")
        reader.readline()
        plain.sendall(b"EHLO client.good.test\r\n")
        while not reader.readline().startswith(b"250 "):
            pass
        plain.sendall(b"STARTTLS\r\n")
        assert reader.readline().startswith(b"220")
        with node.client_tls.wrap_socket(plain, server_hostname="localhost") as tls:
            tls.sendall(b"EHLO client.good.test\r\n" + b"".join(lines) + b"*\r\nQUIT\r\n")
            return _replies(tls)


base64ish = st.binary(max_size=30).map(base64.b64encode)
auth_word = base64ish | utf8 | st.sampled_from([b"*", b"=", b"", b"AGFsaWNlAA=="])
auth_line = st.tuples(
    st.sampled_from([b"AUTH PLAIN", b"AUTH LOGIN", b"AUTH CRAM-MD5", b"AUTH X", b"AUTH"]),
    st.sampled_from([b"", b" "]),
    auth_word.map(_one_line),
).map(lambda parts: b"".join(parts) + b"\r\n")
continuation = auth_word.map(lambda word: _one_line(word) + b"\r\n")
auth_session = st.lists(auth_line | continuation, min_size=1, max_size=4)


@_fuzz(30)
@given(lines=auth_session)
async def test_random_auth_lines_on_submission_get_protocol_replies(
    node: SmtpNode, lines: list[bytes], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="sealbox.smtp"):
        replies = await asyncio.to_thread(_talk_tls, node, lines)
    _well_formed(replies, lines)
    # It ends with QUIT's 221, or the server hanging up on too many unknown commands.
    assert replies and replies[-1][:3] in (*GOODBYE, b"502"), (lines, replies)
    assert not any(r.startswith(b"235") for r in replies), (lines, replies)  # nobody got in
    _no_errors_logged(caplog, lines)
