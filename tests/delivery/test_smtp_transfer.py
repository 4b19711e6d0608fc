"""One delivery attempt across a domain's hosts (RFC 5321 5.1), against aiosmtpd sinks on
loopback: a transient refusal moves on to the next host, a permanent one stands."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.smtp_sink import SmtpSink, smtp_sink

from api.core.outbound_queue import OutboundEnvelope
from api.delivery.routes import NextHop, Router
from api.delivery.smtp_transfer import SmtpTransfer

ENVELOPE = OutboundEnvelope(mail_from="alice@example.org", rcpt_to="carol@elsewhere.example")
MESSAGE = b"From: alice@example.org\r\nTo: carol@elsewhere.example\r\nSubject: Hi\r\n\r\nHello.\r\n"


class FixedHops(Router):
    """The domain's MX hosts in preference order, as the MX lookup would give them."""

    def __init__(self, ports: list[int]) -> None:
        self._ports = ports

    async def hops(self, domain: str) -> list[NextHop]:
        return [NextHop("127.0.0.1", port) for port in self._ports]


@pytest.fixture
def sinks(request: pytest.FixtureRequest) -> Iterator[list[SmtpSink]]:
    first: dict[str, Any] = request.param
    with smtp_sink(**first) as preferred, smtp_sink() as backup:
        yield [preferred, backup]


def transfer(sinks: list[SmtpSink]) -> SmtpTransfer:
    return SmtpTransfer(FixedHops([s.port for s in sinks]), "sealbox.test", frozenset())


@pytest.mark.parametrize("sinks", [{"always": "451 4.3.0 try again later"}], indirect=True)
async def test_a_transient_refusal_moves_on_to_the_next_host(sinks: list[SmtpSink]) -> None:
    outcome = await transfer(sinks).send(ENVELOPE, MESSAGE)

    assert outcome.kind == "delivered" and outcome.reply.startswith("250")
    preferred, backup = sinks
    assert preferred.attempts == 1 and preferred.received == []
    [got] = backup.received
    assert got.rcpt_to == [ENVELOPE.rcpt_to] and got.content.endswith(b"Hello.\r\n")


@pytest.mark.parametrize("sinks", [{"always": "550 5.1.1 no such user"}], indirect=True)
async def test_a_permanent_refusal_is_the_verdict(sinks: list[SmtpSink]) -> None:
    outcome = await transfer(sinks).send(ENVELOPE, MESSAGE)

    assert (outcome.kind, outcome.reply) == ("permanent", "550 5.1.1 no such user")
    assert sinks[1].attempts == 0


@pytest.mark.parametrize("sinks", [{"always": "452 4.2.2 mailbox full"}], indirect=True)
async def test_every_host_refusing_for_now_is_a_temporary_failure(
    sinks: list[SmtpSink],
) -> None:
    sinks[1].always = "421 4.3.2 shutting down"

    outcome = await transfer(sinks).send(ENVELOPE, MESSAGE)

    assert (outcome.kind, outcome.reply) == ("temporary", "452 4.2.2 mailbox full")
    assert [s.attempts for s in sinks] == [1, 1]


BOB = OutboundEnvelope(mail_from="alice@example.org", rcpt_to="bob@elsewhere.example")


@pytest.mark.parametrize(
    "sinks", [{"rcpt": {"bob@elsewhere.example": "451 4.2.1 try later"}}], indirect=True
)
async def test_one_transaction_and_a_refused_recipient_moves_on_alone(
    sinks: list[SmtpSink],
) -> None:
    carol, bob = await transfer(sinks).send_all([ENVELOPE, BOB], MESSAGE)

    assert (carol.kind, bob.kind) == ("delivered", "delivered")
    preferred, backup = sinks
    assert [m.rcpt_to for m in preferred.received] == [[ENVELOPE.rcpt_to]]
    assert [m.rcpt_to for m in backup.received] == [[BOB.rcpt_to]]


@pytest.mark.parametrize(
    "sinks", [{"rcpt": {"bob@elsewhere.example": "550 5.1.1 no such user"}}], indirect=True
)
async def test_a_permanent_rcpt_refusal_is_that_recipients_verdict(
    sinks: list[SmtpSink],
) -> None:
    carol, bob = await transfer(sinks).send_all([ENVELOPE, BOB], MESSAGE)

    assert carol.kind == "delivered"
    assert (bob.kind, bob.reply) == ("permanent", "550 5.1.1 no such user")
    assert sinks[1].attempts == 0


CAROL_FULL = {"rcpt_always": {"carol@elsewhere.example": "451 4.2.1 full"}}


@pytest.mark.parametrize("sinks", [CAROL_FULL], indirect=True)
async def test_no_recipient_taken_means_no_data(sinks: list[SmtpSink]) -> None:
    sinks[1].rcpt_always = {"carol@elsewhere.example": "452 4.2.2 over quota"}

    [outcome] = await transfer(sinks).send_all([ENVELOPE], MESSAGE)

    assert (outcome.kind, outcome.reply) == ("temporary", "451 4.2.1 full")
    assert [s.attempts for s in sinks] == [0, 0]  # DATA never sent
