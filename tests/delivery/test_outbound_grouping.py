"""One SMTP transaction per domain for a message's recipients (RFC 5321 3.3), the message
read and DKIM-signed once for all of them, against a real aiosmtpd sink."""

from __future__ import annotations

from typing import Any

import dkim
from support.dns_stub import DnsStub
from support.jmap_client import make_client
from support.outbound import FakeClock, publish, queue_sender
from support.smtp_sink import smtp_sink

from tests.delivery.test_outbound_queue import outgoing, queue_size, send

ELSEWHERE = ["ann@elsewhere.example", "bob@elsewhere.example", "cat@elsewhere.example"]
OTHER = ["dan@other.example", "eve@other.example"]


async def test_each_domain_gets_one_transaction_with_one_signature(
    make_services: Any, clock: FakeClock, dns_server: DnsStub
) -> None:
    with smtp_sink() as sink:
        node = await make_services(
            outbound_transport=f"elsewhere.example=127.0.0.1:{sink.port},"
            f"other.example=127.0.0.1:{sink.port}"
        )
        alice = await make_client(node, "alice@example.org")
        publish(dns_server, await node.dkim_keys.rotate("example.org"))
        everyone = [*ELSEWHERE, *OTHER]
        envelope = {
            "mailFrom": {"email": "alice@example.org"},
            "rcptTo": [{"email": address} for address in everyone],
        }
        await send(alice, outgoing(", ".join(everyone)), envelope=envelope)

        counts = await queue_sender(node, clock).run_once()

        assert counts.delivered == 5 and await queue_size(node) == 0
        assert sorted(sorted(m.rcpt_to) for m in sink.received) == [ELSEWHERE, OTHER]
        first, second = (m.content for m in sink.received)
        # Signed once: both transactions carry the very same signature, and it verifies.
        assert first == second and first.startswith(b"DKIM-Signature:")
        assert dkim.verify(first)


async def test_recipients_of_one_domain_from_two_messages_stay_apart(
    node: Any, sink: Any, clock: FakeClock
) -> None:
    alice = await make_client(node, "alice@example.org")
    for n in (1, 2):
        raw = outgoing(ELSEWHERE[0]).replace(b"<plans@", f"<plans-{n}@".encode())
        await send(alice, raw)

    assert (await queue_sender(node, clock).run_once()).delivered == 2
    assert len(sink.received) == 2
    assert {m.content.split(b"<plans-")[1][:1] for m in sink.received} == {b"1", b"2"}
