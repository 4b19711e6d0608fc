"""aioimaplib, an asyncio IMAP client, over implicit TLS: sign-in, SELECT, FETCH, IDLE
woken by a JMAP import, MOVE; the same event loop runs the server."""

from __future__ import annotations

import asyncio
import time

import aioimaplib

from tests.imap.conftest import ImapServer
from tests.imap.test_imap_smoke import MESSAGE


async def _client(server: ImapServer) -> aioimaplib.IMAP4_SSL:
    client = aioimaplib.IMAP4_SSL("127.0.0.1", server.tls_port, ssl_context=server.client_context())
    await client.wait_hello_from_server()
    login = await client.login(server.address, server.app_password)
    assert login.result == "OK", login
    return client


async def test_select_fetch_and_idle(imap_server: ImapServer) -> None:
    await imap_server.jmap.import_email(MESSAGE.replace(b"hello imap", b"aio first"))
    client = await _client(imap_server)
    selected = await client.select("INBOX")
    assert selected.result == "OK"
    assert any(b"EXISTS" in line for line in selected.lines)
    fetched = await client.uid("fetch", "1:*", "(UID FLAGS)")
    assert fetched.result == "OK" and any(b"FLAGS" in line for line in fetched.lines)

    idle = await client.idle_start(timeout=10)
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    await imap_server.jmap.import_email(MESSAGE.replace(b"hello imap", b"aio idle"))
    pushed = await client.wait_server_push(timeout=10)
    latency_ms = (time.perf_counter() - started) * 1000
    client.idle_done()
    assert (await asyncio.wait_for(idle, 10)).result == "OK"
    print(f"\naioimaplib IDLE push {latency_ms:.1f} ms after the JMAP import began")
    assert any(b"EXISTS" in line for line in pushed)

    found = await client.uid_search('SUBJECT "aio idle"')
    [uid] = found.lines[0].split()[-1:]
    moved = await client.uid("move", uid.decode(), "Archive")
    assert moved.result == "OK", moved
    await client.logout()
    archive = await imap_server.jmap.mailbox("archive")
    got = await imap_server.jmap.one(
        "Email/query", filter={"inMailbox": archive, "subject": "aio idle"}
    )
    assert len(got["ids"]) == 1
