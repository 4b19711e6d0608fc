"""Delivery to accounts hosted here: the recipient's Inbox, then its vacation auto-reply.

Shared by EmailSubmission (RFC 8621 7) for local recipients and, later, the SMTP MX.
Needs no user key: the message is sealed to the recipient's public key (EmailIngest.
deliver) and the reply text comes from the vacation delivery copy (RFC 3834).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

from api.core.addresses import normalize_address
from api.core.clock import now
from api.core.delivery_sealing import SealedCopy
from api.core.errors import InvalidAddressError, OverQuotaError
from api.core.ingest import EmailIngest, IncomingEmail
from api.core.outbound_queue import OutboundEnvelope, OutboundQueue
from api.core.recipient_check import DeliveryTarget
from api.core.vacation_policy import InboundMessage
from api.core.vacation_reply import VacationReplier, VacationReply
from api.mime.header_edit import top_headers
from api.store.ids import AccountId
from api.store.unit_of_work import Store

__all__ = ["LocalDelivery", "RecipientOutcome"]

log = logging.getLogger("sealbox.delivery")


@dataclass(frozen=True, slots=True)
class RecipientOutcome:
    """RFC 8621 7 DeliveryStatus in brief: "yes" | "no" | "queued", and the SMTP reply."""

    delivered: str
    smtp_reply: str


class LocalDelivery:
    def __init__(
        self,
        store: Store,
        ingest: EmailIngest,
        replier: VacationReplier,
        queue: OutboundQueue,
        hostname: str,
    ) -> None:
        self._store = store
        self._ingest = ingest
        self._replier = replier
        self._queue = queue
        self._hostname = hostname

    async def hosts(self, address: str) -> bool:
        """Whether the address's domain is hosted here (then it is delivered locally)."""
        domain = address.rpartition("@")[2].lower()
        async with self._store.transaction() as tx:
            return await tx.accounts.get_domain(domain) is not None

    async def deliver(
        self,
        recipient: str,
        raw: bytes,
        mail_from: str,
        target: DeliveryTarget | None = None,
        *,
        junk: bool = False,
        sealed: SealedCopy | None = None,
    ) -> RecipientOutcome:
        """Store `raw` in the recipient's Inbox; an unknown address is a permanent failure.

        `target` is the recipient as SMTP's RCPT check resolved it: then nothing is
        looked up again, and the vacation transaction runs only when RCPT saw it on.
        `junk` (the sender's DMARC policy quarantines it) files the message in the
        target's Junk mailbox when it has one, and sends no auto-reply to a sender
        that failed authentication. `sealed` is the copy sealed already to the target's
        public key (the MX seals in worker processes; api.core.sealing_pool).
        """
        if target is None:
            try:
                address = normalize_address(recipient).lower()
            except InvalidAddressError:
                return RecipientOutcome("no", "553 5.1.3 invalid recipient address")
            async with self._store.transaction() as tx:
                account_id = await tx.accounts.resolve_recipient(address)
                inbox = (
                    None
                    if account_id is None
                    else await tx.mailboxes.with_role(account_id, "inbox")
                )
            if account_id is None or inbox is None:
                return RecipientOutcome("no", "550 5.1.1 no such mailbox here")
            public_key = None
        else:
            account_id, inbox, public_key = target.account_id, target.inbox_id, target.public_key
            if junk and target.junk_id is not None:
                inbox = target.junk_id
        incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=now())
        try:
            await self._ingest.deliver(account_id, raw, incoming, public_key, sealed)
        except OverQuotaError:
            return RecipientOutcome("no", "552 5.2.2 the recipient's mailbox is full")
        if not junk and (target is None or target.vacation_enabled):
            try:
                await self._auto_reply(account_id, raw, mail_from)
            except Exception as exc:
                # The message is stored: a failed auto-reply must not make the sender retry
                # (and the recipient get it twice).
                log.warning(
                    "vacation reply failed",
                    extra={"event": "delivery.vacation_failed", "error_type": type(exc).__name__},
                )
        return RecipientOutcome("yes", "250 2.0.0 delivered")

    async def discard(self, copies: Sequence[SealedCopy | None]) -> None:
        """Give up copies sealed (and perhaps stored) for a message that is refused."""
        await self._ingest.discard([copy for copy in copies if copy is not None])

    async def _auto_reply(self, account_id: AccountId, raw: bytes, mail_from: str) -> None:
        message = InboundMessage(envelope_sender=mail_from, headers=top_headers(raw))
        reply = await self._replier.vacation_reply_for(account_id, message, now())
        if reply is None:
            return
        # RFC 3834 3.3: the null reverse path, so the reply itself is never answered.
        built = self._build(reply)
        if await self.hosts(reply.to):
            await self.deliver(reply.to, built, "")
            return
        domain = reply.from_address.rpartition("@")[2]
        envelope = OutboundEnvelope(mail_from="", rcpt_to=reply.to)
        await self._queue.enqueue(account_id, domain, built, envelope)
        log.info("vacation reply queued", extra={"event": "delivery.vacation_reply"})

    def _build(self, reply: VacationReply) -> bytes:
        message = EmailMessage()
        message["From"] = reply.from_address
        message["To"] = reply.to
        message["Subject"] = reply.subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = f"<{secrets.token_hex(12)}@{self._hostname}>"
        message["Auto-Submitted"] = reply.auto_submitted
        if reply.in_reply_to:
            message["In-Reply-To"] = " ".join(f"<{i}>" for i in reply.in_reply_to)
        if reply.references:
            message["References"] = " ".join(f"<{i}>" for i in reply.references)
        message.set_content(reply.text_body)
        if reply.html_body:
            message.add_alternative(reply.html_body, subtype="html")
        return message.as_bytes(policy=SMTP)
