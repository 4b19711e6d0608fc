"""Sending an email (RFC 8621 7): local recipients get it at once, remote ones are queued.

The submission's envelope is sealed under the MK submissions subkey; each recipient's
delivery status is sealed to the account's public key, since the queue that updates it
later holds no user key. Nothing is delayed (maxDelayedSend 0), so undoStatus is "final"
as soon as the call returns. The Bcc field never reaches a recipient.
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
from api.core.unlocked import UnlockedAccount
from api.mime.header_edit import without_fields
from api.store.changes import CREATED, DESTROYED, UPDATED
from api.store.ids import AccountId, new_id
from api.store.records import ChangeSet, EmailRecord, SubmissionRecord
from api.store.submissions import SubmissionFilter
from api.store.unit_of_work import Store
from crypto.aead import open_sealed, seal
from crypto.keypair import unwrap_private_key
from crypto.labels import bind
from crypto.master_key import SUBKEY_SUBMISSIONS
from crypto.sealing import open_with_private_key, seal_to_public_key

__all__ = [
    "SUBMISSION_TYPE",
    "DeliveryStatus",
    "EnvelopeAddress",
    "Submission",
    "SubmissionEnvelope",
    "SubmissionService",
]

SUBMISSION_TYPE = "EmailSubmission"


class EnvelopeAddress(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    parameters: dict[str, str | None] | None = None


class SubmissionEnvelope(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    mail_from: EnvelopeAddress
    rcpt_to: list[EnvelopeAddress]


class DeliveryStatus(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    email: str
    smtp_reply: str
    delivered: str
    displayed: str = "unknown"


class Submission(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    identity_id: str
    email_id: str
    thread_id: str | None
    send_at: int
    undo_status: str
    envelope: SubmissionEnvelope
    statuses: list[DeliveryStatus]


def _envelope_aad(account_id: str, submission_id: str) -> bytes:
    return bind(b"sealbox/v1/submission-envelope", account_id, submission_id)


def _status_info(submission_id: str, position: int) -> bytes:
    return bind(b"sealbox/v1/submission-status", submission_id, str(position))


# Saved before any delivery is tried; "queued" because RFC 8621 7 has no "pending", and
# the status will change. The reply text tells it apart from a real queue entry.
PENDING_REPLY = "451 4.3.0 delivery not yet attempted"


def _pending(email: str) -> DeliveryStatus:
    return DeliveryStatus(email=email, smtp_reply=PENDING_REPLY, delivered="queued")


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

    async def submit(
        self,
        unlocked: UnlockedAccount,
        identity_id: str,
        email: EmailRecord,
        envelope: SubmissionEnvelope,
    ) -> Submission:
        """Deliver or queue for every rcptTo; returns once each is stored durably.

        The record is saved first, every recipient pending, and each status is written
        as its delivery finishes: a failure mid-way leaves a record that says who got
        it. A retry of the same send (same email, identity and envelope) while some
        recipients are still pending resumes that record instead of sending again.
        """
        submission = await self._resumable(unlocked, identity_id, email.id, envelope)
        if submission is None:
            submission = Submission(
                id=new_id("s"),
                identity_id=identity_id,
                email_id=email.id,
                thread_id=email.thread_id,
                send_at=now(),
                undo_status="final",
                envelope=envelope,
                statuses=[_pending(rcpt.email) for rcpt in envelope.rcpt_to],
            )
            await self._save(unlocked, submission)
        outgoing = without_fields(await self._emails.raw(unlocked, email), ["bcc"])
        statuses = list(submission.statuses)
        for position, rcpt in enumerate(envelope.rcpt_to):
            if statuses[position] != _pending(rcpt.email):
                continue  # delivered or queued by the attempt this one resumes
            status = await self._send_one(unlocked, submission.id, position, outgoing, envelope)
            await self.record_delivery(unlocked.account_id, submission.id, position, status)
            statuses[position] = status
        return msgspec.structs.replace(submission, statuses=statuses)

    async def _resumable(
        self,
        unlocked: UnlockedAccount,
        identity_id: str,
        email_id: str,
        envelope: SubmissionEnvelope,
    ) -> Submission | None:
        async with self._store.transaction() as tx:
            ids = await tx.submissions.query(
                unlocked.account_id, SubmissionFilter(email_ids=[email_id]), []
            )
        earlier, _ = await self.get(unlocked, ids)
        return next(
            (
                s
                for s in earlier
                if s.identity_id == identity_id
                and s.envelope == envelope
                and any(st == _pending(st.email) for st in s.statuses)
            ),
            None,
        )

    async def _send_one(
        self,
        unlocked: UnlockedAccount,
        submission_id: str,
        position: int,
        outgoing: bytes,
        envelope: SubmissionEnvelope,
    ) -> DeliveryStatus:
        rcpt = envelope.rcpt_to[position]
        mail_from = envelope.mail_from.email
        if await self._delivery.hosts(rcpt.email):
            outcome = await self._delivery.deliver(rcpt.email, outgoing, mail_from)
            return DeliveryStatus(
                email=rcpt.email, smtp_reply=outcome.smtp_reply, delivered=outcome.delivered
            )
        queued = OutboundEnvelope(
            mail_from=mail_from,
            rcpt_to=rcpt.email,
            rcpt_parameters=rcpt.parameters,
            mail_parameters=envelope.mail_from.parameters,
        )
        await self._queue.enqueue(
            unlocked.account_id,
            unlocked.address.rpartition("@")[2],
            outgoing,
            queued,
            submission_id=submission_id,
            position=position,
        )
        return DeliveryStatus(
            email=rcpt.email, smtp_reply="250 2.0.0 queued for delivery", delivered="queued"
        )

    async def _save(self, unlocked: UnlockedAccount, submission: Submission) -> None:
        account_id = unlocked.account_id
        public_key = await self._blobs.public_key(account_id)
        key = unlocked.master_key.subkey(SUBKEY_SUBMISSIONS)
        record = SubmissionRecord(
            id=submission.id,
            account_id=account_id,
            identity_id=submission.identity_id,
            email_id=submission.email_id,
            thread_id=submission.thread_id,
            send_at=submission.send_at,
            undo_status=submission.undo_status,
            envelope_sealed=seal(
                key,
                msgspec.msgpack.encode(submission.envelope),
                _envelope_aad(account_id, submission.id),
            ),
            recipients={
                position: seal_to_public_key(
                    public_key,
                    msgspec.msgpack.encode(status),
                    info=_status_info(submission.id, position),
                )
                for position, status in enumerate(submission.statuses)
            },
        )
        async with self._store.transaction() as tx:
            modseq = await tx.changes.next_modseq(account_id)
            await tx.submissions.add(record)
            await tx.changes.record(account_id, modseq, SUBMISSION_TYPE, [(submission.id, CREATED)])

    async def record_delivery(
        self, account_id: AccountId, submission_id: str, position: int, status: DeliveryStatus
    ) -> None:
        """Rewrite one recipient's deliveryStatus after a queue attempt, without a user key."""
        public_key = await self._blobs.public_key(account_id)
        sealed = seal_to_public_key(
            public_key,
            msgspec.msgpack.encode(status),
            info=_status_info(submission_id, position),
        )
        async with self._store.transaction() as tx:
            if not await tx.submissions.get_many(account_id, [submission_id]):
                return  # destroyed by the user meanwhile: nothing left to update
            modseq = await tx.changes.next_modseq(account_id)
            await tx.submissions.set_status(submission_id, position, sealed)
            await tx.changes.record(account_id, modseq, SUBMISSION_TYPE, [(submission_id, UPDATED)])

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
        key = unlocked.master_key.subkey(SUBKEY_SUBMISSIONS)
        found = []
        for record in records:
            envelope = msgspec.msgpack.decode(
                open_sealed(key, record.envelope_sealed, _envelope_aad(account_id, record.id)),
                type=SubmissionEnvelope,
            )
            statuses = [
                msgspec.msgpack.decode(
                    open_with_private_key(
                        private_key, sealed, info=_status_info(record.id, position)
                    ),
                    type=DeliveryStatus,
                )
                for position, sealed in sorted(record.recipients.items())
            ]
            found.append(
                Submission(
                    id=record.id,
                    identity_id=record.identity_id,
                    email_id=record.email_id,
                    thread_id=record.thread_id,
                    send_at=record.send_at,
                    undo_status=record.undo_status,
                    envelope=envelope,
                    statuses=statuses,
                )
            )
        return found, state

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
