"""Sending an email (RFC 8621 7): local recipients get it at once, remote ones are queued
together, sharing one stored copy of the message.

The record is saved before the first delivery, every recipient pending, and a retry of
the same send resumes it. Nothing is delayed (maxDelayedSend 0), so undoStatus is
"final" as soon as the call returns. The Bcc field never reaches a recipient.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from api.core.blobs import BlobService
from api.core.clock import now
from api.core.emails import EmailService
from api.core.errors import AccountNotFoundError
from api.core.local_delivery import LocalDelivery
from api.core.outbound_queue import OutboundEnvelope, OutboundQueue
from api.core.submission_model import (
    SUBMISSION_TYPE,
    DeliveryStatus,
    Submission,
    SubmissionEnvelope,
    is_pending,
    pending,
    stage_of,
)
from api.core.submission_sealing import open_record, seal_status, sealed_record
from api.core.submission_status import SubmissionStatusWriter
from api.core.unlocked import UnlockedAccount
from api.mime.header_edit import without_fields
from api.store.changes import CREATED, DESTROYED
from api.store.ids import AccountId, new_id
from api.store.records import ChangeSet, EmailRecord
from api.store.submissions import SubmissionFilter
from api.store.unit_of_work import Store, Transaction
from crypto.keypair import unwrap_private_key

__all__ = ["CLAIM_SECONDS", "SubmissionService"]

# How long one submit call holds a record it sends; a call that died holding it (the
# process crashed) lets a retry resume the record after this.
CLAIM_SECONDS = 300


class SubmissionService:
    def __init__(
        self,
        store: Store,
        blobs: BlobService,
        emails: EmailService,
        delivery: LocalDelivery,
        queue: OutboundQueue,
    ) -> None:
        self._store = store
        self._blobs = blobs
        self._emails = emails
        self._delivery = delivery
        self._queue = queue
        self._statuses = SubmissionStatusWriter(store, blobs)

    async def submit(
        self,
        unlocked: UnlockedAccount,
        identity_id: str,
        email: EmailRecord,
        envelope: SubmissionEnvelope,
    ) -> Submission:
        """Deliver or queue for every rcptTo; returns once each is stored durably.

        Each status is written as its delivery finishes: a failure mid-way leaves a
        record that says who got it. A retry of the same send (same email, identity and
        envelope) while some recipients are still pending resumes that record instead
        of sending again; while another call is sending it, the record is returned as
        it stands.
        """
        resumed = await self._resumable(unlocked, identity_id, email.id, envelope)
        if resumed is not None:
            submission, ours = resumed
            if not ours:
                return submission
        else:
            submission = Submission(
                id=new_id("s"),
                identity_id=identity_id,
                email_id=email.id,
                thread_id=email.thread_id,
                send_at=now(),
                undo_status="final",
                envelope=envelope,
                statuses=[pending(rcpt.email) for rcpt in envelope.rcpt_to],
            )
            await self._save(unlocked, submission)
        try:
            return await self._send_pending(unlocked, submission, email)
        finally:
            async with self._store.transaction() as tx:
                await tx.submissions.release(submission.id)

    async def _send_pending(
        self, unlocked: UnlockedAccount, submission: Submission, email: EmailRecord
    ) -> Submission:
        """Deliver to each pending local recipient, then queue every pending remote one
        with one stored copy of the message (OutboundQueue.enqueue_many)."""
        outgoing = without_fields(await self._emails.raw(unlocked, email), ["bcc"])
        statuses = list(submission.statuses)
        overtaken = False
        remote: list[int] = []
        for position, status in enumerate(submission.statuses):
            if not is_pending(status):
                continue  # delivered or queued by the attempt this one resumes
            local = await self._deliver_local(submission, position, outgoing)
            if local is None:
                remote.append(position)
                continue
            written = await self._statuses.record(
                unlocked.account_id, submission.id, position, local
            )
            # Not written: the queue already delivered it; the record says how.
            overtaken = overtaken or not written
            statuses[position] = local
        for position, queued, written in await self._enqueue(
            unlocked, submission, remote, outgoing
        ):
            overtaken = overtaken or not written
            statuses[position] = queued
        if overtaken:
            [fresh], _ = await self.get(unlocked, [submission.id])
            return fresh
        return msgspec.structs.replace(submission, statuses=statuses)

    async def _resumable(
        self,
        unlocked: UnlockedAccount,
        identity_id: str,
        email_id: str,
        envelope: SubmissionEnvelope,
    ) -> tuple[Submission, bool] | None:
        """An earlier record of this send with recipients pending, and whether this call
        now holds it (one conditional UPDATE: of two retries at once, one wins)."""
        async with self._store.transaction() as tx:
            ids = await tx.submissions.query(
                unlocked.account_id, SubmissionFilter(email_ids=[email_id]), []
            )
        earlier, _ = await self.get(unlocked, ids)
        found = next(
            (
                s
                for s in earlier
                if s.identity_id == identity_id
                and s.envelope == envelope
                and any(is_pending(status) for status in s.statuses)
            ),
            None,
        )
        if found is None:
            return None
        at = now()
        async with self._store.transaction() as tx:
            ours = await tx.submissions.claim(found.id, at, at + CLAIM_SECONDS)
        # Read again: the call that held it until now may have sent to some recipients.
        [current], _ = await self.get(unlocked, [found.id])
        return current, ours

    async def _deliver_local(
        self, submission: Submission, position: int, outgoing: bytes
    ) -> DeliveryStatus | None:
        """Deliver to a recipient this server hosts; None for a remote one."""
        envelope = submission.envelope
        rcpt = envelope.rcpt_to[position]
        if not await self._delivery.hosts(rcpt.email):
            return None
        outcome = await self._delivery.deliver(rcpt.email, outgoing, envelope.mail_from.email)
        return DeliveryStatus(
            email=rcpt.email, smtp_reply=outcome.smtp_reply, delivered=outcome.delivered
        )

    async def _enqueue(
        self,
        unlocked: UnlockedAccount,
        submission: Submission,
        positions: Sequence[int],
        outgoing: bytes,
    ) -> list[tuple[int, DeliveryStatus, bool]]:
        """Queue the remote recipients at `positions` together; their "queued" statuses
        and whether each was written.

        The statuses are written in the transaction that commits the queue entries, so
        "queued" and "has an entry" are one fact: a crash leaves both or neither, and a
        retry that resumes the record never queues a recipient twice.
        """
        if not positions:
            return []
        envelope = submission.envelope
        account_id = unlocked.account_id
        envelopes = [
            OutboundEnvelope(
                mail_from=envelope.mail_from.email,
                rcpt_to=envelope.rcpt_to[p].email,
                rcpt_parameters=envelope.rcpt_to[p].parameters,
                mail_parameters=envelope.mail_from.parameters,
            )
            for p in positions
        ]
        queued = [
            DeliveryStatus(
                email=e.rcpt_to, smtp_reply="250 2.0.0 queued for delivery", delivered="queued"
            )
            for e in envelopes
        ]
        public_key = await self._blobs.public_key(account_id)
        sealed = [
            (p, seal_status(public_key, submission.id, p, status), stage_of(status))
            for p, status in zip(positions, queued, strict=True)
        ]
        written: list[bool] = []

        async def mark_queued(tx: Transaction) -> None:
            written[:] = await self._statuses.write_many(tx, account_id, submission.id, sealed)

        await self._queue.enqueue_many(
            account_id,
            unlocked.address.rpartition("@")[2],
            outgoing,
            envelopes,
            submission_id=submission.id,
            positions=positions,
            also=mark_queued,
        )
        return list(zip(positions, queued, written, strict=True))

    async def _save(self, unlocked: UnlockedAccount, submission: Submission) -> None:
        """Store a new record, held by this call (see CLAIM_SECONDS)."""
        account_id = unlocked.account_id
        public_key = await self._blobs.public_key(account_id)
        record = sealed_record(
            unlocked.master_key, public_key, account_id, submission, now() + CLAIM_SECONDS
        )
        async with self._store.transaction() as tx:
            modseq = await tx.changes.next_modseq(account_id)
            await tx.submissions.add(record)
            await tx.changes.record(account_id, modseq, SUBMISSION_TYPE, [(submission.id, CREATED)])

    async def record_delivery(
        self, account_id: AccountId, submission_id: str, position: int, status: DeliveryStatus
    ) -> bool:
        """Rewrite one recipient's deliveryStatus after a queue attempt, without a user key;
        never takes a final status back (api.core.submission_status)."""
        return await self._statuses.record(account_id, submission_id, position, status)

    async def get(
        self, unlocked: UnlockedAccount, ids: Sequence[str]
    ) -> tuple[list[Submission], int]:
        account_id = unlocked.account_id
        async with self._store.transaction() as tx:
            state = await tx.changes.state(account_id, SUBMISSION_TYPE)
            records = await tx.submissions.get_many(account_id, ids)
            account = await tx.accounts.get(account_id)
        if account is None:
            raise AccountNotFoundError()
        private_key = unwrap_private_key(
            unlocked.master_key, account.wrapped_private_key, account_id=account_id
        )
        return [open_record(unlocked.master_key, private_key, r) for r in records], state

    async def query(
        self,
        account_id: AccountId,
        condition: SubmissionFilter,
        order: Sequence[tuple[str, bool]],
    ) -> tuple[list[str], int]:
        async with self._store.transaction() as tx:
            state = await tx.changes.state(account_id, SUBMISSION_TYPE)
            return await tx.submissions.query(account_id, condition, order), state

    async def destroy(
        self, account_id: AccountId, ids: Sequence[str]
    ) -> tuple[list[str], int, int]:
        """Forget submissions (their emails stay); returns (destroyed ids, old, new state)."""
        async with self._store.transaction() as tx:
            modseq = await tx.changes.next_modseq(account_id)
            old = await tx.changes.state(account_id, SUBMISSION_TYPE)
            existing = [r.id for r in await tx.submissions.get_many(account_id, ids)]
            await tx.submissions.remove(account_id, existing)
            await tx.changes.record(
                account_id, modseq, SUBMISSION_TYPE, [(i, DESTROYED) for i in existing]
            )
        return existing, old, modseq if existing else old

    async def state(self, account_id: AccountId) -> int:
        async with self._store.transaction() as tx:
            return await tx.changes.state(account_id, SUBMISSION_TYPE)

    async def changes(self, account_id: AccountId, since: int, max_changes: int) -> ChangeSet:
        async with self._store.transaction() as tx:
            return await tx.changes.changes_since(account_id, SUBMISSION_TYPE, since, max_changes)
