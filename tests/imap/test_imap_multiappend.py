"""MULTIAPPEND (RFC 3502) over a real TLS socket: several messages in one APPEND, one
APPENDUID (RFC 4315) for all, and a failure anywhere keeps none of them."""

from __future__ import annotations

import asyncio
import imaplib
import re
import socket
import ssl
from pathlib import Path
from typing import Any

import pytest

from compat.imap.connection import APPEND_TOTAL_FACTOR, MAX_LINE
from tests.imap.conftest import ImapServer, running_server


def _message(number: int, body: bytes = b"") -> bytes:
    return (
        f"From: Bob <bob@example.net>\r\nTo: alice@example.org\r\nSubject: multi {number}\r\n"
        f"Message-ID: <multi{number}@example.net>\r\n\r\nmessage {number}\r\n"
    ).encode() + body


class _Raw:
    """A bare TLS client: MULTIAPPEND is more than imaplib can send as one command."""

    def __init__(self, server: ImapServer) -> None:
        raw = socket.create_connection(("127.0.0.1", server.tls_port), timeout=30)
        self.sock: ssl.SSLSocket = server.client_context().wrap_socket(
            raw, server_hostname="127.0.0.1"
        )
        self.buffer = b""
        self.line()  # greeting
        user, password = server.address.encode(), server.app_password.encode()
        self.sock.sendall(
            b"L LOGIN {%d+}\r\n%s {%d+}\r\n%s\r\n" % (len(user), user, len(password), password)
        )
        assert self.tagged(b"L").startswith(b"L OK")

    def line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            assert chunk, self.buffer
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line

    def tagged(self, tag: bytes) -> bytes:
        while not (line := self.line()).startswith(tag + b" "):
            pass
        return line

    def send(self, *parts: bytes) -> None:
        """Each part but the first follows a synchronizing literal: wait for `+`."""
        for index, part in enumerate(parts):
            if index:
                assert self.line().startswith(b"+ ")
            self.sock.sendall(part)

    def close(self) -> None:
        self.sock.close()


def _literal(data: bytes, sync: bool = False) -> bytes:
    return b"{%d%s}\r\n" % (len(data), b"" if sync else b"+") + data


async def _members(server: ImapServer, name: str) -> list[dict[str, Any]]:
    """What JMAP sees in the mailbox: the cross-check that nothing was half-kept."""
    got = await server.jmap.one("Mailbox/get", ids=None, properties=["name"])
    mailbox = next(m["id"] for m in got["list"] if m["name"] == name)
    ids = (await server.jmap.one("Email/query", filter={"inMailbox": mailbox}))["ids"]
    properties = ["subject", "keywords", "receivedAt", "imapUids"]
    emails = (await server.jmap.one("Email/get", ids=ids, properties=properties))["list"]
    return [{**e, "uid": e["imapUids"][mailbox]} for e in emails]


def _create(server: ImapServer, name: str) -> None:
    client = server.signed_in()
    assert b"MULTIAPPEND" in client.capability()[1][0]
    assert client.create(name)[0] == "OK"
    client.logout()


async def test_three_messages_in_one_append(imap_server: ImapServer) -> None:
    messages = [_message(1), _message(2), _message(3)]

    def run() -> tuple[bytes, list[object]]:
        _create(imap_server, "Multi")
        raw = _Raw(imap_server)
        # LITERAL+ for the first two, a synchronizing literal for the third.
        raw.send(
            b'A APPEND Multi (\\Seen) "01-Dec-2026 09:30:00 +0100" '
            + _literal(messages[0])
            + b" (\\Flagged $Work) "
            + _literal(messages[1])
            + b' "03-Dec-2026 23:15:00 -0500" {%d}\r\n' % len(messages[2]),
            messages[2] + b"\r\n",
        )
        answer = raw.tagged(b"A")
        raw.sock.sendall(b"N NOOP\r\n")
        assert raw.tagged(b"N").startswith(b"N OK")
        raw.close()
        client = imap_server.signed_in()
        client.select("Multi")
        fetched = client.uid("FETCH", "1:*", "(UID FLAGS INTERNALDATE BODY.PEEK[])")[1]
        client.logout()
        return answer, fetched

    answer, fetched = await asyncio.to_thread(run)
    code = re.match(rb"A OK \[APPENDUID (\d+) (\d+):(\d+)\]", answer)
    assert code is not None, answer
    first, last = int(code[2]), int(code[3])
    assert last == first + 2
    bodies = [item for item in fetched if isinstance(item, tuple)]
    assert [body for _, body in bodies] == messages
    heads = [head for head, _ in bodies]
    assert all(b"UID %d " % (first + i) in heads[i] for i in range(3))
    assert b"\\Seen" in heads[0] and b'"01-Dec-2026 08:30:00 +0000"' in heads[0]
    # Keywords are case-insensitive (RFC 8621 4.1.1): JMAP keeps them lowercase.
    assert b"\\Flagged" in heads[1] and b"$work" in heads[1]
    assert b'"04-Dec-2026 04:15:00 +0000"' in heads[2]  # stored as UTC
    members = sorted(await _members(imap_server, "Multi"), key=lambda e: int(e["uid"]))
    assert [m["uid"] for m in members] == [first, first + 1, first + 2]
    assert [m["subject"] for m in members] == ["multi 1", "multi 2", "multi 3"]
    assert members[0]["receivedAt"] == "2026-12-01T08:30:00Z"
    assert members[1]["keywords"] == {"$flagged": True, "$work": True}


async def _fill_quota(server: ImapServer, room: int) -> None:
    account = server.jmap.unlocked.account_id
    used = (await server.services.quota.mail(account)).used
    await server.services.accounts.set_quota(account, used + room)


# Each third message fails a different way: before the command is read whole (TOOBIG),
# in the parser (BAD), or in Email/import after two were stored (the undo path).
FAILURES = [
    ("toobig", b"NO [TOOBIG]"),
    ("bad-date", b"BAD"),
    ("overquota", b"NO [OVERQUOTA]"),
]


@pytest.mark.parametrize(("how", "expected"), FAILURES)
async def test_a_failing_third_message_keeps_none(
    imap_server: ImapServer, how: str, expected: bytes
) -> None:
    name = f"Fail-{how}"
    first, second = _message(1), _message(2)
    third = _message(3, b"x" * 20_000)
    if how == "overquota":
        await asyncio.to_thread(_create, imap_server, name)
        await _fill_quota(imap_server, len(first) + len(second) + 2_000)

    def run() -> bytes:
        if how != "overquota":
            _create(imap_server, name)
        raw = _Raw(imap_server)
        head = b"F APPEND " + name.encode() + b" " + _literal(first) + b" " + _literal(second)
        if how == "toobig":  # over APPENDLIMIT: refused before any octet of it is sent
            limit = imap_server.services.settings.imap_max_append_octets
            raw.sock.sendall(head + b" {%d}\r\n" % (limit + 1))
        elif how == "bad-date":
            raw.sock.sendall(head + b' "31-Foo-2026 09:30:00 +0100" ' + _literal(third) + b"\r\n")
        else:
            raw.sock.sendall(head + b" " + _literal(third) + b"\r\n")
        answer = raw.tagged(b"F")
        raw.sock.sendall(b"N NOOP\r\n")  # the session goes on
        assert raw.tagged(b"N").startswith(b"N OK")
        raw.close()
        return answer

    try:
        answer = await asyncio.to_thread(run)
    finally:
        await imap_server.services.accounts.set_quota(imap_server.jmap.unlocked.account_id, None)
    assert answer.startswith(b"F " + expected), answer
    assert await _members(imap_server, name) == []

    def status() -> bytes:
        client = imap_server.signed_in()
        got = client.status(name, "(MESSAGES)")[1][0]
        client.logout()
        return bytes(got)

    assert b"MESSAGES 0" in await asyncio.to_thread(status)


async def test_plain_append_still_gets_one_uid(imap_server: ImapServer) -> None:
    def run() -> tuple[str, list[bytes]]:
        client = imap_server.signed_in()
        got = client.append("INBOX", None, imaplib.Time2Internaldate(0), _message(9))
        client.logout()
        return got

    status, data = await asyncio.to_thread(run)
    assert status == "OK" and re.search(rb"\[APPENDUID \d+ \d+\]", data[0])


async def test_a_multiappend_over_its_total_cap_is_refused(tmp_path: Path) -> None:
    """Each message within APPENDLIMIT, the command as a whole past its cap: TOOBIG."""
    limit = 1000
    async with running_server(tmp_path / "data", imap_max_append_octets=limit) as server:

        def run() -> tuple[int, bytes]:
            _create(server, "Capped")
            raw = _Raw(server)
            message = _message(1).ljust(limit, b"x")
            raw.sock.sendall(b"F APPEND Capped {%d}\r\n" % limit)
            sent = 0
            while (line := raw.line()).startswith(b"+ "):
                sent += 1
                raw.sock.sendall(message + b" {%d}\r\n" % limit)
            raw.sock.sendall(b"N NOOP\r\n")
            assert raw.tagged(b"N").startswith(b"N OK")
            raw.close()
            return sent, line

        sent, answer = await asyncio.to_thread(run)
        assert answer.startswith(b"F NO [TOOBIG]"), answer
        # Past APPENDLIMIT as a whole, refused at the factor times it plus one line's worth.
        assert APPEND_TOTAL_FACTOR * limit < sent * limit <= APPEND_TOTAL_FACTOR * limit + MAX_LINE
        assert await _members(server, "Capped") == []
