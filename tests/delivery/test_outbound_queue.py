"""The queue sender against an aiosmtpd sink: delivery, retries with backoff, DSN bounces
(RFC 3464) read back through JMAP, STARTTLS policies and EmailSubmission deliveryStatus."""

from __future__ import annotations

import asyncio
import email
from pathlib import Path
from typing import Any

import dkim
import pytest
from support.dns_stub import DnsStub
from support.jmap_client import Client, make_client
from support.outbound import FakeClock, publish, queue_sender
from support.smtp_sink import smtp_sink

from api.core.outbound_queue import OutboundEnvelope
from api.delivery.retry import DELAY_WARNING_AFTER, FIRST_RETRY, GIVE_UP_AFTER, MAX_RETRY
from api.services import Services
from api.tls import _self_signed

REMOTE = "carol@elsewhere.example"


def outgoing(to: str = REMOTE) -> bytes:
    lines = [
        "From: Alice <alice@example.org>",
        f"To: {to}",
        "Subject: Plans for Saturday",
        "Message-ID: <plans@example.org>",
        "Date: Tue, 01 Dec 2026 10:00:00 +0000",
    ]
    return ("\r\n".join([*lines, "", "Hike at nine?", ""])).encode()


async def send(client: Client, raw: bytes, **extra: Any) -> str:
    identities = await client.one("Identity/get", ids=None)
    email_id = (await client.import_email(raw, role="drafts"))["id"]
    got = await client.one(
        "EmailSubmission/set",
        create={"s": {"emailId": email_id, "identityId": identities["list"][0]["id"], **extra}},
    )
    return str(got["created"]["s"]["id"])


async def status(client: Client, submission_id: str) -> dict[str, Any]:
    got = await client.one("EmailSubmission/get", ids=[submission_id])
    return dict(got["list"][0]["deliveryStatus"][REMOTE])


async def queue_size(services: Services) -> int:
    async with services.store.transaction() as tx:
        return await tx.outbound.count()


async def reports(client: Client, subject: bytes) -> list[bytes]:
    """The raw messages in the Inbox whose text holds `subject` (DSNs the queue sent)."""
    inbox = await client.mailbox("inbox")
    ids = (await client.one("Email/query", filter={"inMailbox": inbox}))["ids"]
    records = await client.services.emails.records(client.unlocked, ids)
    raws = [await client.services.emails.raw(client.unlocked, r) for r in records]
    return [raw for raw in raws if subject in raw]


async def bounces(client: Client) -> list[bytes]:
    return await reports(client, b"Undelivered Mail Returned")


def blob_files(services: Services) -> list[Path]:
    return [p for p in (services.settings.data_path / "blobs").rglob("*") if p.is_file()]


async def test_a_submission_is_signed_delivered_and_marked_yes(
    node: Services, sink: Any, clock: FakeClock, dns_server: DnsStub
) -> None:
    alice = await make_client(node, "alice@example.org")
    publish(dns_server, await node.dkim_keys.rotate("example.org"))
    submission = await send(alice, outgoing())
    assert (await status(alice, submission))["delivered"] == "queued"
    blobs_queued = len(blob_files(node))

    counts = await queue_sender(node, clock).run_once()

    assert (counts.delivered, counts.deferred, counts.bounced) == (1, 0, 0)
    [got] = sink.received
    assert (got.mail_from, got.rcpt_to) == ("alice@example.org", [REMOTE])
    assert got.content.startswith(b"DKIM-Signature:") and b"Hike at nine?" in got.content
    assert dkim.verify(got.content)
    done = await status(alice, submission)
    assert done["delivered"] == "yes" and done["smtpReply"].startswith("250")
    # The queued copy is gone with its entry; the draft's blob stays.
    assert await queue_size(node) == 0 and len(blob_files(node)) == blobs_queued - 1


@pytest.mark.parametrize("sink_options", [{"script": ["451 4.7.1 greylisted, come back"]}])
async def test_a_temporary_failure_is_retried_after_the_backoff(
    node: Services, sink: Any, clock: FakeClock
) -> None:
    alice = await make_client(node, "alice@example.org")
    submission = await send(alice, outgoing())
    sender = queue_sender(node, clock)

    assert (await sender.run_once()).deferred == 1
    waiting = await status(alice, submission)
    assert waiting["delivered"] == "queued" and waiting["smtpReply"].startswith("451 4.7.1")
    clock.at += FIRST_RETRY - 1
    assert (await sender.run_once()).total == 0 and sink.attempts == 1
    clock.at += 1
    assert (await sender.run_once()).delivered == 1
    assert len(sink.received) == 1 and (await status(alice, submission))["delivered"] == "yes"


@pytest.mark.parametrize("sink_options", [{"always": "550 5.1.1 no such user here"}])
async def test_a_permanent_failure_bounces_to_the_senders_inbox(
    node: Services, sink: Any, clock: FakeClock
) -> None:
    alice = await make_client(node, "alice@example.org")
    submission = await send(alice, outgoing())

    assert (await queue_sender(node, clock).run_once()).bounced == 1

    [report] = await bounces(alice)
    parsed = email.message_from_bytes(report)
    assert parsed.get_content_type() == "multipart/report"
    assert parsed.get_param("report-type") == "delivery-status"
    assert b"Status: 5.1.1" in report and f"rfc822; {REMOTE}".encode() in report
    assert b"Subject: Plans for Saturday" in report and b"Hike at nine?" not in report
    failed = await status(alice, submission)
    assert failed["delivered"] == "no" and failed["smtpReply"].startswith("550 5.1.1")
    assert await queue_size(node) == 0 and sink.received == []


@pytest.mark.parametrize("sink_options", [{"always": "421 4.3.2 shutting down"}])
async def test_a_message_still_undelivered_after_five_days_bounces(
    node: Services, sink: Any, clock: FakeClock
) -> None:
    alice = await make_client(node, "alice@example.org")
    submission = await send(alice, outgoing())
    sender = queue_sender(node, clock)
    assert (await sender.run_once()).deferred == 1
    clock.at += GIVE_UP_AFTER - FIRST_RETRY
    assert (await sender.run_once()).deferred == 1
    clock.at += FIRST_RETRY
    assert (await sender.run_once()).bounced == 1
    [report] = await bounces(alice)
    assert b"Status: 4.4.7" in report and b"421 4.3.2" in report
    assert (await status(alice, submission))["delivered"] == "no"


async def delay_warnings(client: Client) -> list[bytes]:
    return await reports(client, b"Delayed Mail")


@pytest.mark.parametrize("sink_options", [{"always": "451 4.7.1 greylisted, come back"}])
async def test_a_late_message_warns_its_sender_once_and_keeps_trying(
    node: Services, sink: Any, clock: FakeClock
) -> None:
    alice = await make_client(node, "alice@example.org")
    submission = await send(alice, outgoing())
    sender = queue_sender(node, clock)
    assert (await sender.run_once()).deferred == 1
    assert await delay_warnings(alice) == []

    clock.at += DELAY_WARNING_AFTER
    assert (await sender.run_once()).deferred == 1
    [warning] = await delay_warnings(alice)
    assert b"Action: delayed" in warning and b"Will-Retry-Until:" in warning
    assert b"Status: 4.7.1" in warning and b"Subject: Plans for Saturday" in warning
    assert (await status(alice, submission))["delivered"] == "queued"

    clock.at += MAX_RETRY
    assert (await sender.run_once()).deferred == 1
    assert len(await delay_warnings(alice)) == 1 and await queue_size(node) == 1


@pytest.mark.parametrize("sink_options", [{"always": "451 4.7.1 greylisted, come back"}])
async def test_notify_failure_only_means_no_delay_warning(
    node: Services, sink: Any, clock: FakeClock
) -> None:
    alice = await make_client(node, "alice@example.org")
    envelope = {
        "mailFrom": {"email": "alice@example.org"},
        "rcptTo": [{"email": REMOTE, "parameters": {"NOTIFY": "FAILURE"}}],
    }
    await send(alice, outgoing(), envelope=envelope)
    sender = queue_sender(node, clock)
    assert (await sender.run_once()).deferred == 1
    clock.at += DELAY_WARNING_AFTER
    assert (await sender.run_once()).deferred == 1
    assert await delay_warnings(alice) == []


@pytest.mark.parametrize("node", [{"outbound_require_tls": "elsewhere.example"}], indirect=True)
async def test_required_tls_is_never_skipped(node: Services, sink: Any, clock: FakeClock) -> None:
    alice = await make_client(node, "alice@example.org")
    submission = await send(alice, outgoing())
    sender = queue_sender(node, clock)
    assert (await sender.run_once()).deferred == 1
    assert sink.received == [] and (await status(alice, submission))["smtpReply"].startswith(
        "451 4.7.10"
    )
    clock.at += GIVE_UP_AFTER
    assert (await sender.run_once()).bounced == 1 and sink.received == []


async def test_requiretls_is_honoured(node: Services, sink: Any, clock: FakeClock) -> None:
    """RFC 8689: a message that asks for REQUIRETLS never goes over a plaintext hop."""
    alice = await make_client(node, "alice@example.org")
    envelope = {
        "mailFrom": {"email": "alice@example.org", "parameters": {"REQUIRETLS": None}},
        "rcptTo": [{"email": REMOTE}],
    }
    await send(alice, outgoing(), envelope=envelope)
    assert (await queue_sender(node, clock).run_once()).deferred == 1
    assert sink.received == [] and sink.attempts == 0


@pytest.fixture
def tls_context(tmp_path: Path) -> Any:
    import ssl

    cert, key = _self_signed("sink.test")
    (tmp_path / "sink.crt").write_bytes(cert)
    (tmp_path / "sink.key").write_bytes(key)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "sink.crt", tmp_path / "sink.key")
    return context


async def test_starttls_is_used_when_offered(
    make_services: Any, clock: FakeClock, tls_context: Any
) -> None:
    with smtp_sink(tls_context=tls_context) as tls_sink:
        node = await make_services(
            outbound_transport=f"elsewhere.example=127.0.0.1:{tls_sink.port}",
            outbound_require_tls="elsewhere.example",
        )
        alice = await make_client(node, "alice@example.org")
        await send(alice, outgoing())
        assert (await queue_sender(node, clock).run_once()).delivered == 1
        [got] = tls_sink.received
        assert got.tls


async def test_a_crash_mid_send_leaves_the_entry_for_a_later_run(
    node: Services, sink: Any, clock: FakeClock
) -> None:
    """A claimed entry whose node died is sent once its lease runs out: never lost."""
    alice = await make_client(node, "alice@example.org")
    await send(alice, outgoing())
    async with node.store.transaction() as tx:
        [claimed] = await tx.outbound.claim(clock.at, clock.at + 900, 10)
    assert (await queue_sender(node, clock).run_once()).total == 0
    clock.at += 900
    assert (await queue_sender(node, clock).run_once()).delivered == 1
    assert claimed.id and len(sink.received) == 1


@pytest.mark.postgres
async def test_nodes_sharing_postgresql_never_send_an_entry_twice(
    make_services: Any, database_url: str, clock: FakeClock
) -> None:
    if not database_url:
        pytest.skip("several nodes share a queue only on PostgreSQL")
    with smtp_sink() as shared:
        transport = f"elsewhere.example=127.0.0.1:{shared.port}"
        first = await make_services(outbound_transport=transport)
        second = await make_services(outbound_transport=transport)
        alice = await make_client(first, "alice@example.org")
        for n in range(60):
            raw = outgoing().replace(b"<plans@", f"<plans-{n}@".encode())
            await first.outbound.enqueue(
                alice.unlocked.account_id,
                "example.org",
                raw,
                OutboundEnvelope(mail_from="alice@example.org", rcpt_to=REMOTE),
            )
        # Small claims, so that the four runs take turns at the 60 entries.
        senders = [queue_sender(node, clock, batch=10) for node in (first, second, first, second)]
        runs = await asyncio.gather(*(sender.run_once() for sender in senders))
        ids = [m.content.split(b"<plans-")[1].split(b"@")[0] for m in shared.received]
        assert sum(run.delivered for run in runs) == 60
        assert len(ids) == 60 and len(set(ids)) == 60
        assert all(run.delivered < 60 for run in runs)
