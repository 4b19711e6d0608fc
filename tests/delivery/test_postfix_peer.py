"""Interop: our queue hands a DKIM-signed message to a real Postfix (RFC 5321 relay), which
passes it on to a sink; the signature still verifies with dkimpy after Postfix's hop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dkim
import pytest
from support.dns_stub import DnsStub
from support.jmap_client import make_client
from support.outbound import FakeClock, publish, queue_sender
from support.postfix_peer import postfix_peer
from support.smtp_sink import SmtpSink, smtp_sink

from api.services import Services

pytestmark = pytest.mark.slow

REMOTE = "carol@elsewhere.example"
RAW = (
    b"From: Alice <alice@example.org>\r\nTo: <carol@elsewhere.example>\r\n"
    b"Subject: Through Postfix\r\nMessage-ID: <postfix-hop@example.org>\r\n"
    b"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nSigned here, verified there.\r\n"
)


@pytest.fixture
def relayed(postfix_installed: None) -> Iterator[tuple[SmtpSink, int, Path]]:
    with smtp_sink() as sink, postfix_peer(f"[127.0.0.1]:{sink.port}") as (port, log):
        yield sink, port, log


async def until(condition: Any, seconds: float = 30) -> None:
    for _ in range(int(seconds * 10)):
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out waiting")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_postfix_accepts_our_signed_message_and_it_still_verifies(
    make_services: Any,
    relayed: tuple[SmtpSink, int, Path],
    clock: FakeClock,
    dns_server: DnsStub,
) -> None:
    sink, port, maillog = relayed
    node: Services = await make_services(outbound_transport=f"elsewhere.example=127.0.0.1:{port}")
    alice = await make_client(node, "alice@example.org")
    publish(dns_server, await node.dkim_keys.rotate("example.org"))
    identity = (await alice.one("Identity/get", ids=None))["list"][0]["id"]
    email_id = (await alice.import_email(RAW, role="drafts"))["id"]
    created = await alice.one(
        "EmailSubmission/set", create={"s": {"emailId": email_id, "identityId": identity}}
    )
    submission = created["created"]["s"]["id"]

    assert (await queue_sender(node, clock).run_once()).delivered == 1
    status = (await alice.one("EmailSubmission/get", ids=[submission]))["list"][0]
    reply = status["deliveryStatus"][REMOTE]
    assert reply["delivered"] == "yes" and reply["smtpReply"].startswith("250 2.0.0 Ok: queued")

    await until(lambda: len(sink.received) == 1)
    [got] = sink.received
    assert (got.mail_from, got.rcpt_to) == ("alice@example.org", [REMOTE])
    assert b"by postfix.test (Postfix)" in got.content
    assert b"Signed here, verified there." in got.content
    assert dkim.verify(got.content)
    await until(lambda: "status=sent" in maillog.read_text(encoding="utf-8"))
