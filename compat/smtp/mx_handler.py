"""The inbound MX transaction (RFC 5321 3.3): RCPT checked before DATA, 250 only once stored.

A message is acknowledged only after LocalDelivery has durably stored it for every
recipient that got it; recipients refused after DATA (rare: everything is checked at
RCPT) get the sender an RFC 3464 bounce while the others keep their copy, because a 4xx
then would make the client resend, and store twice, what is already stored.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiosmtpd.smtp import SMTP, Envelope, Session

from api.core.delivery_sealing import SealedCopy
from api.core.local_delivery import LocalDelivery
from api.core.recipient_check import DeliveryTarget, RecipientCheck
from api.delivery.dmarc_policy import DmarcAction
from api.delivery.inbound_bounce import FailedRecipient, InboundBounces
from api.delivery.mx_workers import MxWorkers, WorkerLostError
from api.delivery.sender_checks import SenderChecks, SenderVerdict
from compat.smtp.extensions import asks_requiretls, session_extensions
from compat.smtp.limits import ClientLimits
from compat.smtp.message_checks import address_problem, content_problem, undeclared_utf8
from compat.smtp.protocol import count_rcpt, peer_ip, targets_of
from compat.smtp.replies import Reply, reply, reply_for_recipient

__all__ = ["MAX_RECIPIENTS", "MxHandler"]

log = logging.getLogger("sealbox.smtp")
# RFC 5321 4.5.5: MAIL FROM:<> (bounces, auto-replies).
NULL_PATH = "<>"

# RFC 5321 4.5.3.1.8 asks servers to take at least 100 recipients per transaction.
MAX_RECIPIENTS = 100


def _dmarc_policy(target: DeliveryTarget | None) -> str | None:
    return None if target is None else target.dmarc_policy


def add_extensions(responses: list[str], *extensions: str) -> list[str]:
    """The EHLO lines with `extensions` added before the closing line."""
    return [*responses[:-1], *(f"250-{name}" for name in extensions), responses[-1]]


class MxHandler:
    def __init__(
        self,
        delivery: LocalDelivery,
        recipients: RecipientCheck,
        checks: SenderChecks,
        limits: ClientLimits,
        bounces: InboundBounces,
        workers: MxWorkers | None = None,
    ) -> None:
        self._delivery = delivery
        # Worker processes for the checks and sealing; None does both in this process.
        self._workers = workers
        self._bounces = bounces
        self._recipients = recipients
        self._checks = checks
        self._limits = limits

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        # aiosmtpd offers AUTH after STARTTLS on every port; an MX signs no one in.
        offered = [line for line in responses if not line.startswith("250-AUTH")]
        return add_extensions(offered, *session_extensions(session))

    async def handle_AUTH(
        self, server: SMTP, session: Session, envelope: Envelope, args: list[str]
    ) -> str:
        return reply(Reply.AUTH_NOT_OFFERED)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        # The null reverse path (RFC 5321 4.5.5) is how bounces arrive: allowed here.
        # aiosmtpd hands it over as "<>" and needs a non-empty mail_from for RCPT, so
        # it stays "<>" in the envelope and becomes "" at DATA.
        if address != NULL_PATH and address_problem(address):
            return reply(Reply.BAD_SENDER)
        if undeclared_utf8(address, "SMTPUTF8" in options):
            return reply(Reply.NEEDS_SMTPUTF8)
        if not self._limits.message(peer_ip(session.peer)):
            return reply(Reply.RATE_LIMITED)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return reply(Reply.SENDER_OK)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address_problem(address):
            return reply(Reply.BAD_RECIPIENT)
        if undeclared_utf8(address, envelope.smtp_utf8):
            return reply(Reply.NEEDS_SMTPUTF8)
        # Refused addresses count too, or RCPT could probe the directory without end.
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS or count_rcpt(envelope) > 2 * MAX_RECIPIENTS:
            return reply(Reply.TOO_MANY_RECIPIENTS)
        status, target = await self._recipients.resolve(address)
        # The same recipient named twice gets one copy.
        if target is not None and address.lower() not in (r.lower() for r in envelope.rcpt_tos):
            envelope.rcpt_tos.append(address)
            targets_of(envelope)[address.lower()] = target
        return reply_for_recipient(status)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        problem = content_problem(raw)
        if problem is not None:
            return reply(problem)
        started = time.monotonic()
        mail_from = "" if envelope.mail_from in (None, NULL_PATH) else envelope.mail_from
        targets = targets_of(envelope)
        try:
            verdict, copies = await self._checked(
                raw, session, mail_from, [targets.get(r.lower()) for r in envelope.rcpt_tos]
            )
        except WorkerLostError:
            # Nothing is stored yet: the client's retry stores the message once.
            return reply(Reply.TRY_LATER)
        actions = [
            self._checks.action(verdict, _dmarc_policy(targets.get(r.lower())))
            for r in envelope.rcpt_tos
        ]
        if actions and all(action is DmarcAction.REJECT for action in actions):
            log.info("dmarc reject", extra={"event": "smtp.dmarc_reject"})
            await self._delivery.discard(copies)
            return reply(Reply.DMARC_REJECT)
        # Together, so that the copies share one group commit (api.core.group_commit).
        # Where recipients' domains disagree there is one reply for all: a domain that
        # would refuse gets the copy in Junk, since a bounce would go to a forged sender.
        outcomes = await asyncio.gather(
            *(
                self._deliver(r, verdict.stamped, mail_from, targets.get(r.lower()), action, copy)
                for r, action, copy in zip(envelope.rcpt_tos, actions, copies, strict=True)
            )
        )
        failed: list[tuple[str, str]] = [
            (recipient, outcome or reply(Reply.TRY_LATER))
            for recipient, outcome in zip(envelope.rcpt_tos, outcomes, strict=True)
            if outcome is None or not outcome.startswith("250")
        ]
        stored = len(outcomes) - len(failed)
        elapsed = round(time.monotonic() - started, 4)
        log.info(
            "inbound message",
            extra={"event": "smtp.inbound", "stored": stored, "failed": len(failed), "s": elapsed},
        )
        if not stored:
            return failed[0][1]
        if failed:
            requiretls = asks_requiretls(envelope)
            await self._bounce(mail_from, failed, targets, verdict.stamped, requiretls)
            return reply(Reply.STORED_PARTLY)
        return reply(Reply.STORED)

    async def _checked(
        self, raw: bytes, session: Session, mail_from: str, targets: list[DeliveryTarget | None]
    ) -> tuple[SenderVerdict, list[SealedCopy | None]]:
        """The sender checks' verdict, and each recipient's copy sealed already.

        With workers both happen in one worker request, before anything is stored, so a
        lost worker fails the whole message and never leaves some copies stored (mail
        DMARC rejects was sealed for nothing: rare). Without workers the checks run in a
        thread and each copy is sealed as it is stored (api.core.ingest).
        """
        ip, helo = peer_ip(session.peer), session.host_name or ""
        known = [target for target in targets if target is not None]
        if self._workers is None or len(known) != len(targets):
            return await self._checks.check(raw, ip, mail_from, helo), [None] * len(targets)
        recipients = [(target.account_id, target.public_key) for target in known]
        verdict, copies = await self._workers.check_and_seal(raw, ip, mail_from, helo, recipients)
        return verdict, list(copies)

    async def _bounce(
        self,
        mail_from: str,
        failed: list[tuple[str, str]],
        targets: dict[str, DeliveryTarget],
        raw: bytes,
        requiretls: bool,
    ) -> None:
        """The DSNs, stored before the 250 (a crash then loses no bounce)."""
        failures = [
            FailedRecipient(target=targets[recipient.lower()], reply=why)
            for recipient, why in failed
            if recipient.lower() in targets
        ]
        try:
            await self._bounces.bounce(mail_from, failures, raw, requiretls=requiretls)
        except Exception:
            # The stored copies stand; what is lost is said loudly, never silently.
            log.exception("bounce failed", extra={"event": "smtp.bounce_lost"})

    async def _deliver(
        self,
        recipient: str,
        raw: bytes,
        mail_from: str,
        target: DeliveryTarget | None,
        action: DmarcAction,
        sealed: SealedCopy | None,
    ) -> str | None:
        junk = action is not DmarcAction.DELIVER
        try:
            outcome = await self._delivery.deliver(
                recipient, raw, mail_from, target, junk=junk, sealed=sealed
            )
            return outcome.smtp_reply
        except Exception:
            # One recipient's failure must not undo the others' stored copies (see above).
            log.exception("delivery failed", extra={"event": "smtp.delivery_error"})
            return None

    async def handle_exception(self, error: Exception) -> str:
        # Never a traceback on the wire: log it, and let the client try again later.
        log.error("smtp session error", exc_info=error, extra={"event": "smtp.error"})
        return reply(Reply.TRY_LATER)
