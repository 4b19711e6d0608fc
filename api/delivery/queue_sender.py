"""The queue sender (RFC 5321 4.5.4): claims due entries, signs, sends, retries or bounces.

Every serving node runs it. An entry is claimed (leased), sent, and only then deleted,
with its blob once no other recipient's entry shares it, so none is ever lost; a crash
between the remote 250 and the delete sends it again once the lease runs out: delivery
is at-least-once, as with any MTA.

Claimed entries of one stored message are read and DKIM-signed once, and those bound
for one domain from one sender go in one SMTP transaction (RFC 5321 3.3: a RCPT each),
so a message to ten people at one provider is one delivery there, not ten.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from api.core.blobs import BlobService
from api.core.clock import now
from api.core.local_delivery import LocalDelivery
from api.core.outbound_queue import (
    OutboundEnvelope,
    OutboundQueue,
    open_envelope,
    queue_keypair,
)
from api.core.submission_model import DeliveryStatus
from api.core.submissions import SubmissionService
from api.delivery.dkim_keys import DkimKeyService
from api.delivery.dsn import Bounce, build_dsn, status_code
from api.delivery.retry import GIVE_UP_AFTER, expired, late, next_attempt
from api.delivery.smtp_transfer import Outcome, SmtpTransfer
from api.store.records import OutboundRecord
from api.store.unit_of_work import Store
from crypto.keypair import AccountKeyPair

__all__ = ["BATCH", "LEASE_SECONDS", "QueueSender", "SendCounts", "send_periodically"]

log = logging.getLogger("sealbox.delivery")
# Longer than any one attempt can take (every MX times out at 120 s per step).
LEASE_SECONDS = 900
# Entries claimed at once; also the most RCPTs one transaction carries (RFC 5321 4.5.3.1.8
# asks receivers to take at least 100).
BATCH = 100
_PARALLEL = 10
# (entry, its opened envelope): what one recipient's delivery needs.
_Leg = tuple[OutboundRecord, OutboundEnvelope]


@dataclass(slots=True)
class SendCounts:
    delivered: int = 0
    deferred: int = 0
    bounced: int = 0

    @property
    def total(self) -> int:
        return self.delivered + self.deferred + self.bounced


class QueueSender:
    def __init__(
        self,
        store: Store,
        blobs: BlobService,
        submissions: SubmissionService,
        delivery: LocalDelivery,
        queue: OutboundQueue,
        dkim: DkimKeyService,
        transfer: SmtpTransfer,
        hostname: str,
        clock: Callable[[], int] = now,
        batch: int = BATCH,
    ) -> None:
        self._store = store
        self._blobs = blobs
        self._submissions = submissions
        self._delivery = delivery
        self._queue = queue
        self._dkim = dkim
        self._transfer = transfer
        self._hostname = hostname
        self._clock = clock
        self._batch = batch
        self._parallel = asyncio.Semaphore(_PARALLEL)

    async def run_once(self) -> SendCounts:
        """Send every entry due now; returns what became of them."""
        counts = SendCounts()
        while True:
            at = self._clock()
            async with self._store.transaction() as tx:
                claimed = await tx.outbound.claim(at, at + LEASE_SECONDS, self._batch)
                keypairs = {
                    d: await queue_keypair(tx, d) for d in {e.sender_domain for e in claimed}
                }
            by_blob: defaultdict[tuple[str, str], list[_Leg]] = defaultdict(list)
            for entry in claimed:
                try:
                    envelope = open_envelope(keypairs[entry.sender_domain], entry)
                except Exception:
                    self._failed(entry)  # unreadable: its lease runs out, a later run retries
                    continue
                by_blob[(entry.account_id, entry.blob_id)].append((entry, envelope))
            await asyncio.gather(
                *(self._send_blob(legs, keypairs, counts) for legs in by_blob.values())
            )
            if len(claimed) < self._batch:
                return counts

    @staticmethod
    def _failed(entry: OutboundRecord) -> None:
        # A broken entry (an unreadable blob, a database hiccup) must not stop the others;
        # its lease runs out and a later run tries it again.
        log.exception("outbound entry failed", extra={"event": "queue.error", "entry": entry.id})

    async def _send_blob(
        self, legs: list[_Leg], keypairs: dict[str, AccountKeyPair], counts: SendCounts
    ) -> None:
        """Every claimed recipient of one stored message: read and signed once, then one
        transaction per (domain, sender, MAIL parameters)."""
        first, _ = legs[0]
        try:
            private_key = keypairs[first.sender_domain].private_key
            opened = await self._blobs.open_with_key(first.account_id, first.blob_id, private_key)
            raw = await opened.read()
            signer = await self._dkim.signer(first.sender_domain)
            message = raw if signer is None else await asyncio.to_thread(signer.sign, raw)
        except Exception:
            for entry, _ in legs:
                self._failed(entry)
            return
        transactions: defaultdict[tuple[str, str, str], list[_Leg]] = defaultdict(list)
        for entry, envelope in legs:
            domain = envelope.rcpt_to.rpartition("@")[2].lower()
            parameters = repr(sorted((envelope.mail_parameters or {}).items()))
            transactions[(domain, envelope.mail_from, parameters)].append((entry, envelope))
        await asyncio.gather(
            *(self._transaction(group, raw, message, counts) for group in transactions.values())
        )

    async def _transaction(
        self, legs: list[_Leg], raw: bytes, message: bytes, counts: SendCounts
    ) -> None:
        async with self._parallel:
            try:
                outcomes = await self._transfer.send_all([e for _, e in legs], message)
            except Exception:
                for entry, _ in legs:
                    self._failed(entry)
                return
            for (entry, envelope), outcome in zip(legs, outcomes, strict=True):
                try:
                    await self._settle(entry, envelope, raw, outcome, counts)
                except Exception:
                    self._failed(entry)

    async def _settle(
        self,
        entry: OutboundRecord,
        envelope: OutboundEnvelope,
        raw: bytes,
        outcome: Outcome,
        counts: SendCounts,
    ) -> None:
        """One recipient's attempt is over: off the queue, retried later, or bounced."""
        at = self._clock()
        attempts = entry.attempts + 1
        too_old = outcome.kind == "temporary" and expired(entry.created_at, at)
        if outcome.kind == "delivered":
            # Off the queue first: a failing status write must not send it again.
            await self._finish(entry)
            await self._status(entry, envelope, outcome.reply, "yes")
            counts.delivered += 1
        elif outcome.kind == "permanent" or too_old:
            await self._notify(entry, envelope, raw, outcome, "failed", expired=too_old)
            await self._status(entry, envelope, outcome.reply, "no")
            await self._finish(entry)
            counts.bounced += 1
        else:
            warn = not entry.delay_warned and late(entry.created_at, at)
            async with self._store.transaction() as tx:
                retry_at = next_attempt(entry.created_at, attempts, at)
                await tx.outbound.reschedule(
                    entry.id, retry_at, attempts, delay_warned=entry.delay_warned or warn
                )
            if warn:
                await self._notify(entry, envelope, raw, outcome, "delayed")
            await self._status(entry, envelope, outcome.reply, "queued")
            counts.deferred += 1
        log.info(
            "outbound attempt",
            extra={
                "event": f"queue.{outcome.kind}",
                "entry": entry.id,
                "attempts": attempts,
                "reply_code": outcome.reply[:3],
            },
        )

    async def _status(
        self, entry: OutboundRecord, envelope: OutboundEnvelope, reply: str, delivered: str
    ) -> None:
        if entry.submission_id is None:
            return
        status = DeliveryStatus(email=envelope.rcpt_to, smtp_reply=reply, delivered=delivered)
        await self._submissions.record_delivery(
            entry.account_id, entry.submission_id, entry.position, status
        )

    async def _finish(self, entry: OutboundRecord) -> None:
        # The last entry on a shared blob deletes it (OutboundRepository.finish): the
        # decision is made in the entry's own transaction, the file goes after commit.
        async with self._store.transaction() as tx:
            last = await tx.outbound.finish(entry)
        if last:
            await self._blobs.discard(entry.blob_id)

    async def _notify(
        self,
        entry: OutboundRecord,
        envelope: OutboundEnvelope,
        raw: bytes,
        outcome: Outcome,
        action: Literal["failed", "delayed"],
        *,
        expired: bool = False,
    ) -> None:
        """Tell the sender the message failed or is late, unless they asked not to hear."""
        sender = envelope.mail_from
        params = {k.upper(): v or "" for k, v in (envelope.rcpt_parameters or {}).items()}
        # RFC 3461 4.1: without NOTIFY, failures are reported and delays may be.
        notify = {w.strip() for w in params.get("NOTIFY", "FAILURE,DELAY").upper().split(",")}
        # RFC 5321 4.5.5: never report on a report.
        if not sender or ("FAILURE" if action == "failed" else "DELAY") not in notify:
            return
        bounce = Bounce(
            recipient=envelope.rcpt_to,
            reply=outcome.reply,
            status=status_code(outcome.reply, expired=expired),
            remote_mta=outcome.remote,
            original_recipient=params.get("ORCPT") or None,
            action=action,
            retry_until=entry.created_at + GIVE_UP_AFTER if action == "delayed" else None,
        )
        report = build_dsn(
            to=sender,
            bounce=bounce,
            original=raw,
            reporting_mta=self._hostname,
            arrival=entry.created_at,
        )
        if await self._delivery.hosts(sender):
            await self._delivery.deliver(sender, report, "")
            return
        remote = OutboundEnvelope(mail_from="", rcpt_to=sender)
        await self._queue.enqueue(entry.account_id, entry.sender_domain, report, remote)


async def send_periodically(sender: QueueSender, interval: float) -> None:
    """Drain the queue now and every `interval` seconds until cancelled."""
    while True:
        started = time.monotonic()
        try:
            counts = await sender.run_once()
        except Exception:
            # A database hiccup must not end sending for the life of the process.
            log.exception("outbound queue run failed", extra={"event": "queue.run_failed"})
        else:
            if counts.total:
                log.info(
                    "outbound queue run",
                    extra={
                        "event": "queue.run",
                        "delivered": counts.delivered,
                        "deferred": counts.deferred,
                        "bounced": counts.bounced,
                        "elapsed_ms": round((time.monotonic() - started) * 1000),
                    },
                )
        await asyncio.sleep(interval)
