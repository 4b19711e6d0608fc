"""Random message content and SASL lines at real SMTP sockets (RFC 5321 4.1.4 DATA,
RFC 3030 BDAT, RFC 4954 AUTH): every reply is a well-formed SMTP reply with an enhanced
code on refusals, never a 451 for the client's own input, nothing is logged at error
level, and exactly the messages the server answered "stored" are in the Inbox."""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
import ssl

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.smtp_node import SmtpNode

from tests.smtp.test_smtp_fuzz import ENHANCED, REPLY_LINE, VALID

STORED = b"250 2.0.0 message stored"
ENVELOPE = [b"EHLO client.good.test\r\n", b"MAIL FROM:<a@good.test>\r\n"]
ENVELOPE += [b"RCPT TO:<alice@example.org>\r\n"]
_EXAMPLES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Pieces of hostile mail: bare CR and LF, NUL, 8-bit, dot lines, long lines, broken MIME.
piece = st.sampled_from(
    [b"From: a@good.test", b"Subject: ", b"=?utf-8?q?caf=C3=A9?=", b"\t folded", b".",
     b"..", b". ", b"\x00", b"\xff\xfe", b"\xc3\xa9", b"x" * 1200, b"Content-Type: multipart/"
     b"mixed; boundary=b", b"--b", b"--b--", b"Content-Transfer-Encoding: base64", b"====",
     b":", b"", b"To: <>", b"MIME-Version: 1.0"]
) | st.binary(max_size=30)  # fmt: skip
separator = st.sampled_from([b"\r\n", b"\n", b"\r", b""])
content = st.lists(st.tuples(piece, separator), max_size=25).map(
    lambda parts: b"".join(p + s for p, s in parts)
)


def _dot_stuffed(body: bytes) -> bytes:
    """The body as DATA carries it: no end-of-data line inside (RFC 5321 4.5.2)."""
    body = body.replace(b"\r\n.", b"\r\n..")
    return b"." + body if body.startswith(b".") else body


def _talk(port: int, data: bytes, tls: ssl.SSLContext | None = None) -> list[bytes]:
    """Send everything, read to the 221 or the close; the reply lines."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        sock = tls.wrap_socket(raw, server_hostname="mx.example.org") if tls else raw
        sock.sendall(data)
        received = b""
        while not received.endswith(b"\r\n") or not received.split(b"\r\n")[-2].startswith(b"221"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received.split(b"\r\n")[:-1]


def _check(replies: list[bytes], sent: object) -> None:
    for line in replies:
        assert REPLY_LINE.match(line), (sent, line)
        assert not line.startswith(b"451"), (sent, line)
        if line[:1] in b"45":
            assert ENHANCED.match(line) and line[0] == line[4], (sent, line)


async def _stored_count(node: SmtpNode) -> int:
    inbox = await node.alice.mailbox("inbox")
    got = await node.alice.one("Email/query", filter={"inMailbox": inbox}, calculateTotal=True)
    return int(got["total"])


async def _exchange(
    node: SmtpNode, data: bytes, caplog: pytest.LogCaptureFixture, port: int | None = None
) -> list[bytes]:
    before = await _stored_count(node)
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="sealbox"):
        replies = await asyncio.to_thread(_talk, port or node.mx_port, data)
    _check(replies, data[:300])
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], data[:300]
    # Nothing lost, nothing stored twice: the Inbox grew by the "stored" replies.
    assert await _stored_count(node) - before == replies.count(STORED), replies
    return replies


@_EXAMPLES
@given(body=content)
async def test_random_data_content_is_stored_or_refused_cleanly(
    node: SmtpNode, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    data = b"".join([*ENVELOPE, b"DATA\r\n", _dot_stuffed(body), b"\r\n.\r\n", *VALID])
    replies = await _exchange(node, data, caplog)
    assert replies.count(STORED) >= 1  # the valid transaction after it, at least


chunk = st.tuples(content, st.booleans())


@_EXAMPLES
@given(chunks=st.lists(chunk, min_size=1, max_size=4), extra=st.booleans())
async def test_random_bdat_chunks_get_protocol_replies(
    node: SmtpNode, chunks: list[tuple[bytes, bool]], extra: bool, caplog: pytest.LogCaptureFixture
) -> None:
    stream = list(ENVELOPE)
    for index, (octets, last) in enumerate(chunks):
        last = last or index == len(chunks) - 1
        stream.append(f"BDAT {len(octets)}{' LAST' if last else ''}\r\n".encode() + octets)
        if last:
            break
    if extra:  # a chunk after LAST belongs to no transaction
        stream.append(b"BDAT 3 LAST\r\nabc")
    replies = await _exchange(node, b"".join([*stream, *VALID]), caplog)
    assert replies.count(STORED) >= 1


sasl_word = st.sampled_from([b"*", b"=", b"", b"\xff", b"AGFsaWNl", b"====", b"a b"]) | (
    st.binary(max_size=40).map(base64.b64encode)
)


def _dialogue(parts: tuple[bytes, list[bytes]]) -> bytes:
    """AUTH, an optional initial response, then continuation lines."""
    command, words = parts
    first = command + (b" " + words[0] if words else b"") + b"\r\n"
    return first + b"".join(word + b"\r\n" for word in words[1:])


auth_line = st.tuples(
    st.sampled_from([b"AUTH PLAIN", b"AUTH LOGIN", b"AUTH CRAM-MD5", b"AUTH", b"AUTH plain"]),
    st.lists(sasl_word, max_size=3),
).map(_dialogue)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(auth_line, min_size=1, max_size=3))
async def test_random_auth_dialogues_get_protocol_replies(
    node: SmtpNode, lines: list[bytes], caplog: pytest.LogCaptureFixture
) -> None:
    # "*" cancels a dialogue still waiting for a response (RFC 4954 4); otherwise it is
    # one unknown command. Either way QUIT then ends the session.
    data = b"EHLO client.good.test\r\n" + b"".join(lines) + b"*\r\nQUIT\r\n"
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="sealbox"):
        replies = await asyncio.to_thread(_talk, node.submissions_port, data, node.client_tls)
    _check(replies, data)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], data
    assert not any(r.startswith(b"235") for r in replies), data  # nobody got in
