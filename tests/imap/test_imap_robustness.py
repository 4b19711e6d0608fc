"""Bad input over a real TLS connection: every answer is a tagged (or untagged) BAD/NO,
the session survives, no traceback reaches the wire."""

from __future__ import annotations

import asyncio
import socket
import ssl

import pytest

from tests.imap.conftest import ImapServer

CASES = [
    (b"x1 BOGUS\r\n", b"x1 BAD"),
    (b"garbage\r\n", b"* BAD"),
    (b"x2 SELECT INBOX\r\n", b"x2 BAD"),  # not signed in
    (b"x3 LOGIN {4}\r\n", b"+ "),  # sync literal: a continuation
    (b"x4 FETCH 1 FLAGS\r\n", b"x4 BAD"),
    (b"x5 LOGIN \xff\xfe\x00 y\r\n", b"x5 BAD"),
    (b"x6 APPEND INBOX {999999999999}\r\n", b"x6 BAD"),
    (b"x7 LOGIN {100000000}\r\n", b"x7 NO [TOOBIG]"),
    (b"x8 AUTHENTICATE CRAM-MD5\r\n", b"x8 NO"),
    (b"x9 AUTHENTICATE PLAIN !!!\r\n", b"x9 BAD"),
]


def _open(server: ImapServer) -> ssl.SSLSocket:
    raw = socket.create_connection(("127.0.0.1", server.tls_port), timeout=10)
    wrapped = server.client_context().wrap_socket(raw, server_hostname="127.0.0.1")
    wrapped.recv(4096)  # greeting
    return wrapped


def _reply(sock: ssl.SSLSocket, prefix: bytes) -> bytes:
    data = b""
    while prefix not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.parametrize(("sent", "expected"), CASES)
async def test_bad_input_gets_bad_or_no(
    imap_server: ImapServer, sent: bytes, expected: bytes
) -> None:
    def run() -> bytes:
        sock = _open(imap_server)
        sock.sendall(sent)
        answer = _reply(sock, expected)
        sock.sendall(b"z1 NOOP\r\n" if not expected.startswith(b"+") else b"abcd\r\n")
        after = _reply(sock, b"\r\n")
        sock.close()
        return answer + after

    answer = await asyncio.to_thread(run)
    assert expected in answer
    assert b"Traceback" not in answer


async def test_overlong_line_is_cut_off(imap_server: ImapServer) -> None:
    def run() -> bytes:
        sock = _open(imap_server)
        sock.sendall(b"x1 NOOP " + b"a" * 200_000 + b"\r\n")
        answer = _reply(sock, b"BYE")
        sock.close()
        return answer

    assert b"BYE" in await asyncio.to_thread(run)
