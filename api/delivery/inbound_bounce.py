"""Bounces for recipients that failed after DATA while others kept their copy (RFC 3464).

The MX answers 250 once any recipient has the message (a 4xx would make the client
resend, and store twice, what is stored), so the others are told by a DSN to the
envelope sender: through local delivery when the sender is hosted here, else through the
outbound queue with the null reverse path. Never for a null sender (RFC 5321 4.5.5).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from api.core.clock import now
from api.core.local_delivery import LocalDelivery
from api.core.outbound_queue import OutboundEnvelope, OutboundQueue
from api.core.recipient_check import DeliveryTarget
from api.delivery.dsn import Bounce, build_dsn, status_code

__all__ = ["FailedRecipient", "InboundBounces"]

log = logging.getLogger("sealbox.delivery")


@dataclass(frozen=True, slots=True)
class FailedRecipient:
    """A recipient accepted at RCPT whose copy could not be stored, and the reason."""

    target: DeliveryTarget
    reply: str


class InboundBounces:
    def __init__(self, delivery: LocalDelivery, queue: OutboundQueue, hostname: str) -> None:
        self._delivery = delivery
        self._queue = queue
        self._hostname = hostname

    async def bounce(
        self,
        mail_from: str,
        failures: Sequence[FailedRecipient],
        original: bytes,
        *,
        requiretls: bool = False,
    ) -> None:
        """One DSN per failed recipient to `mail_from`, stored before this returns. The
        DSN of a message sent with REQUIRETLS goes out with it too (RFC 8689 5); like
        every DSN here it holds only the original's header section."""
        if not mail_from or not failures:
            return
        arrival = now()
        local = await self._delivery.hosts(mail_from)
        for failure in failures:
            bounce = Bounce(
                recipient=failure.target.address,
                reply=failure.reply,
                status=status_code(failure.reply),
            )
            report = build_dsn(
                to=mail_from,
                bounce=bounce,
                original=original,
                reporting_mta=self._hostname,
                arrival=arrival,
            )
            if local:
                outcome = await self._delivery.deliver(mail_from, report, "")
                if outcome.delivered != "yes":
                    log.error("bounce not stored", extra={"event": "smtp.bounce_lost"})
                continue
            parameters: dict[str, str | None] | None = {"REQUIRETLS": None} if requiretls else None
            envelope = OutboundEnvelope(mail_from="", rcpt_to=mail_from, mail_parameters=parameters)
            target = failure.target
            await self._queue.enqueue(target.account_id, target.domain, report, envelope)
        log.info("bounced after DATA", extra={"event": "smtp.bounce", "count": len(failures)})
