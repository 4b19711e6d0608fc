"""Recipients that fail after DATA while others were stored: the sender gets a DSN (RFC 3464)."""

from __future__ import annotations

import asyncio
import email
import smtplib

from sqlalchemy import text
from support.jmap_client import Client, make_client
from support.smtp_dkim import sign
from support.smtp_node import SmtpNode, inbox_messages

from api.core.outbound_queue import open_envelope, queue_keypair
from api.core.recipient_check import RecipientCheck, RecipientStatus
from api.delivery.inbound_bounce import FailedRecipient, InboundBounces
from api.services import Services

RAW = b"From: a@good.test\r\nTo: alice@example.org\r\nSubject: for two\r\n\r\nbody text\r\n"


async def _send_filling_bob(
    node: SmtpNode, bob: Client, sender: str, *, requiretls: bool = False
) -> tuple[int, bytes]:
    """MAIL, RCPT alice and bob (both accepted), then bob's quota fills, then DATA."""
    # The server shares this event loop: every blocking client step runs in a thread.
    client = await asyncio.to_thread(smtplib.SMTP, "127.0.0.1", node.mx_port, timeout=30)
    try:
        if requiretls:
            await asyncio.to_thread(client.starttls, context=node.client_tls)
        await asyncio.to_thread(client.ehlo, "client.good.test")
        options = ["REQUIRETLS"] if requiretls else []
        assert (await asyncio.to_thread(client.mail, sender, options))[0] == 250
        for rcpt in ("alice@example.org", "bob@example.org"):
            assert (await asyncio.to_thread(client.rcpt, rcpt))[0] == 250
        await node.services.accounts.set_quota(bob.unlocked.account_id, 10)
        # Signed, so DMARC passes whatever the envelope sender's SPF says.
        return await asyncio.to_thread(client.data, sign(RAW, "good.test"))
    finally:
        await asyncio.to_thread(client.quit)


async def _queue_entries(services: Services) -> int:
    async with services.store.transaction() as tx:
        return await tx.outbound.count()


async def test_a_local_sender_gets_a_dsn_for_the_recipient_that_failed(node: SmtpNode) -> None:
    bob = await make_client(node.services, "bob@example.org")
    carol = await make_client(node.services, "carol@example.org")
    code, _ = await _send_filling_bob(node, bob, "carol@example.org")
    assert code == 250
    assert len(await inbox_messages(node.alice)) == 1
    assert await inbox_messages(bob) == []
    [(got, report)] = await inbox_messages(carol)
    assert got["subject"] == "Undelivered Mail Returned to Sender"
    parsed = email.message_from_bytes(report)
    assert parsed.get_content_type() == "multipart/report"
    assert parsed.get_param("report-type") == "delivery-status"
    assert b"Final-Recipient: rfc822; bob@example.org" in report
    assert b"Status: 5.2.2" in report
    assert b"Subject: for two" in report  # the original header section
    assert report.count(b"Final-Recipient:") == 1  # alice got her copy
    assert await _queue_entries(node.services) == 0


async def test_a_copy_refused_after_data_leaves_no_blob_file(node: SmtpNode) -> None:
    """The workers wrote bob's sealed copy before his quota refused it: that file goes."""
    bob = await make_client(node.services, "bob@example.org")
    assert node.services.settings.smtp_worker_processes > 0
    code, _ = await _send_filling_bob(node, bob, "")
    assert code == 250
    async with node.services.store.database.engine.connect() as connection:
        rows = set(await connection.scalars(text("SELECT id FROM blobs")))
    blobs = node.services.settings.data_path / "blobs"
    files = {path.name for path in blobs.rglob("*") if path.is_file()}
    assert files == rows and len(rows) == 1  # alice's copy only


async def test_a_remote_sender_gets_a_dsn_through_the_queue(node: SmtpNode) -> None:
    bob = await make_client(node.services, "bob@example.org")
    code, _ = await _send_filling_bob(node, bob, "a@good.test")
    assert code == 250
    assert len(await inbox_messages(node.alice)) == 1
    async with node.services.store.transaction() as tx:
        [entry] = await tx.outbound.claim(2**40, 2**40 + 60, 10)
        keypair = await queue_keypair(tx, entry.sender_domain)
    assert entry.account_id == bob.unlocked.account_id
    assert entry.sender_domain == "example.org"
    assert open_envelope(keypair, entry).mail_parameters is None


async def test_the_dsn_of_a_requiretls_message_asks_for_requiretls(node: SmtpNode) -> None:
    """RFC 8689 5: the report of a message that required TLS goes out only over TLS."""
    bob = await make_client(node.services, "bob@example.org")
    code, _ = await _send_filling_bob(node, bob, "a@good.test", requiretls=True)
    assert code == 250
    async with node.services.store.transaction() as tx:
        [entry] = await tx.outbound.claim(2**40, 2**40 + 60, 10)
        keypair = await queue_keypair(tx, entry.sender_domain)
    envelope = open_envelope(keypair, entry)
    assert (envelope.mail_from, envelope.rcpt_to) == ("", "a@good.test")
    assert envelope.mail_parameters == {"REQUIRETLS": None}


async def test_a_bounce_from_another_server_is_accepted(node: SmtpNode) -> None:
    """MAIL FROM:<> (RFC 5321 4.5.5) is how other servers' bounces arrive."""

    def send() -> tuple[int, bytes]:
        with smtplib.SMTP("127.0.0.1", node.mx_port, timeout=10) as client:
            client.ehlo("mta.elsewhere.example")
            code, text = client.mail("<>")
            assert code == 250, text
            client.rcpt("alice@example.org")
            return client.data(sign(RAW, "good.test"))

    code, text = await asyncio.to_thread(send)
    assert code == 250, text
    assert len(await inbox_messages(node.alice)) == 1


async def test_no_dsn_for_a_null_sender(node: SmtpNode) -> None:
    # RFC 5321 4.5.5: a bounce is never bounced.
    bob = await make_client(node.services, "bob@example.org")
    status, target = await RecipientCheck(node.services.store, node.services.quota).resolve(
        "bob@example.org"
    )
    assert status is RecipientStatus.ACCEPTED and target is not None
    services = node.services
    bounces = InboundBounces(services.delivery, services.outbound, "mx.example.org")
    failed = FailedRecipient(target=target, reply="552 5.2.2 the recipient's mailbox is full")
    await bounces.bounce("", [failed], RAW)
    assert await _queue_entries(services) == 0
    assert await inbox_messages(node.alice) == [] and await inbox_messages(bob) == []
