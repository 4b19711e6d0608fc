"""Raw POP3 on the wire: a table of bad input (always -ERR, the session carries on),
byte-exact dot-stuffing, the line limit, the garbage limit, the autologout timer, and
plaintext pipelined behind STLS."""

from __future__ import annotations

import asyncio
import socket
import ssl

import pytest

import compat.pop3.connection
from tests.pop3.conftest import Pop3Account, Pop3Server
from tests.pop3.messages import DOTTED, message


class RawClient:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.file = sock.makefile("rb")
        self.greeting = self.file.readline()

    @classmethod
    def tls(cls, server: Pop3Server) -> RawClient:
        raw = socket.create_connection(("127.0.0.1", server.tls_port), timeout=10)
        return cls(server.client_context().wrap_socket(raw, server_hostname="127.0.0.1"))

    @classmethod
    def plain(cls, server: Pop3Server) -> RawClient:
        return cls(socket.create_connection(("127.0.0.1", server.stls_port), timeout=10))

    def send(self, data: bytes) -> bytes:
        self.sock.sendall(data + b"\r\n")
        return self.file.readline()

    def multiline(self) -> bytes:
        lines = []
        while (line := self.file.readline()) != b".\r\n":
            assert line, "connection closed inside a multi-line response"
            lines.append(line)
        return b"".join(lines) + line

    def closed(self) -> bool:
        try:
            return self.file.read() == b""
        except (ConnectionError, ssl.SSLError):
            return True

    def sign_in(self, account: Pop3Account) -> None:
        assert self.send(b"USER " + account.address.encode()).startswith(b"+OK")
        assert self.send(b"PASS " + account.app_password.encode()).startswith(b"+OK")

    def close(self) -> None:
        self.file.close()
        self.sock.close()


BEFORE_SIGN_IN: list[tuple[bytes, bytes]] = [
    (b"HELO", b"-ERR unknown command"),
    (b"STAT", b"-ERR sign in first"),
    (b"RETR 1", b"-ERR sign in first"),
    (b"DELE 1", b"-ERR sign in first"),
    (b"NOOP", b"-ERR sign in first"),
    (b"PASS secret", b"-ERR send USER first"),
    (b"STLS", b"-ERR TLS is already active"),
    (b"AUTH CRAM-MD5", b"-ERR only AUTH PLAIN"),
    (b"AUTH PLAIN !!!", b"-ERR bad base64"),
    (b"AUTH PLAIN AGFsaWNl", b"-ERR PLAIN wants"),
    (b"AUTH PLAIN *", b"-ERR authentication cancelled"),
    (b"\xff\xfe\xfd", b"-ERR commands are ASCII"),
    (b"STAT\x00", b"-ERR control characters"),
    (b"LIST " + b"9" * 300, b"-ERR command lines are at most 255 octets"),
    (b"RETR 0", b"-ERR message numbers start at 1"),
]
SIGNED_IN: list[tuple[bytes, bytes]] = [
    (b"USER someone", b"-ERR already signed in"),
    (b"PASS x", b"-ERR already signed in"),
    (b"AUTH PLAIN AGFsaWNl", b"-ERR already signed in"),
    (b"STLS", b"-ERR TLS is already active"),
    (b"RETR 2", b"-ERR no message 2"),
    (b"LIST 2", b"-ERR no message 2"),
    (b"TOP 2 0", b"-ERR no message 2"),
    (b"DELE x", b"-ERR not a number"),
    (b"TOP 1 x", b"-ERR not a number"),
    (b"UIDL 1 2", b"-ERR UIDL takes 1 argument"),
    (b"", b"-ERR unknown command"),
]


async def test_bad_input_gets_err_and_the_session_carries_on(pop3_server: Pop3Server) -> None:
    account = await pop3_server.account()
    await account.jmap.import_email(message("only"))

    def run() -> None:
        client = RawClient.tls(pop3_server)
        for line, expected in BEFORE_SIGN_IN:
            assert client.send(line).startswith(expected), line
        client.sign_in(account)
        for line, expected in SIGNED_IN:
            assert client.send(line).startswith(expected), line
        assert client.send(b"NOOP") == b"+OK\r\n"
        assert client.send(b"CAPA").startswith(b"+OK")
        assert b"USER" not in client.multiline()
        assert client.send(b"QUIT").startswith(b"+OK")
        assert client.closed()

    await asyncio.to_thread(run)


async def test_retr_and_top_are_dot_stuffed_on_the_wire(pop3_server: Pop3Server) -> None:
    account = await pop3_server.account()
    await account.jmap.import_email(DOTTED)
    # A bare-LF message still goes out with CRLF line ends.
    await account.jmap.import_email(b"Subject: lf\n\n.lf body\n", receivedAt="2030-01-01T00:00:00Z")
    header, _, _ = DOTTED.partition(b"\r\n\r\n")

    def run() -> None:
        client = RawClient.tls(pop3_server)
        client.sign_in(account)
        assert client.send(b"RETR 1").startswith(b"+OK")
        assert client.multiline() == (
            header + b"\r\n\r\nfirst line\r\n..hidden\r\n...two dots\r\n..\r\nlast line\r\n.\r\n"
        )
        assert client.send(b"TOP 1 2").startswith(b"+OK")
        assert client.multiline() == header + b"\r\n\r\nfirst line\r\n..hidden\r\n.\r\n"
        assert client.send(b"RETR 2").startswith(b"+OK")
        assert client.multiline() == b"Subject: lf\r\n\r\n..lf body\r\n.\r\n"
        client.send(b"QUIT")

    await asyncio.to_thread(run)


async def test_an_overlong_line_ends_the_connection(pop3_server: Pop3Server) -> None:
    def run() -> None:
        client = RawClient.tls(pop3_server)
        assert client.send(b"NOOP " + b"x" * 20_000) == b"-ERR line too long, closing\r\n"
        assert client.closed()

    await asyncio.to_thread(run)


async def test_nothing_but_garbage_ends_the_connection(pop3_server: Pop3Server) -> None:
    def run() -> None:
        client = RawClient.tls(pop3_server)
        answers = [client.send(b"\x01garbage") for _ in range(20)]
        assert answers[-1] == b"-ERR too many bad commands, closing\r\n"
        assert all(a.startswith(b"-ERR") for a in answers)
        assert client.closed()

    await asyncio.to_thread(run)


async def test_idle_session_is_logged_out_without_update(
    pop3_server: Pop3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = await pop3_server.account()
    created = await account.jmap.import_email(message("stays"))
    monkeypatch.setattr(compat.pop3.connection, "IDLE_TIMEOUT", 0.5)

    def run() -> None:
        client = RawClient.tls(pop3_server)
        client.sign_in(account)
        assert client.send(b"DELE 1").startswith(b"+OK")
        assert client.file.readline() == b"-ERR idle too long, closing\r\n"
        assert client.closed()

    await asyncio.to_thread(run)
    assert await account.inbox_ids() == [created["id"]]


async def test_plaintext_pipelined_after_stls_is_refused(pop3_server: Pop3Server) -> None:
    def run() -> None:
        client = RawClient.plain(pop3_server)
        assert b"STLS" in client.greeting
        client.sock.sendall(b"STLS\r\nUSER injected\r\n")
        assert client.file.readline() == b"+OK begin TLS now\r\n"
        assert client.closed()

    await asyncio.to_thread(run)


async def test_quit_before_sign_in_and_auth_listing(pop3_server: Pop3Server) -> None:
    def run() -> None:
        plain = RawClient.plain(pop3_server)
        assert plain.send(b"AUTH").startswith(b"+OK")
        assert plain.multiline() == b".\r\n"  # nothing offered before TLS
        assert plain.send(b"QUIT").startswith(b"+OK")
        assert plain.closed()
        secure = RawClient.tls(pop3_server)
        assert secure.send(b"AUTH").startswith(b"+OK")
        assert secure.multiline() == b"PLAIN\r\n.\r\n"
        secure.close()

    await asyncio.to_thread(run)
