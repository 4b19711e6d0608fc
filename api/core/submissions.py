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
        """Deliver or queue for every rcptTo; returns once each is stored durably."""
        account_id = unlocked.account_id
        submission_id = new_id("s")
        outgoing = without_fields(await self._emails.raw(unlocked, email), ["bcc"])
        mail_from = envelope.mail_from.email
        statuses: list[DeliveryStatus] = []
        for position, rcpt in enumerate(envelope.rcpt_to):
            if await self._delivery.hosts(rcpt.email):
                outcome = await self._delivery.deliver(rcpt.email, outgoing, mail_from)
                status = DeliveryStatus(
                    email=rcpt.email, smtp_reply=outcome.smtp_reply, delivered=outcome.delivered
                )
            else:
                queued = OutboundEnvelope(
                    mail_from=mail_from,
                    rcpt_to=rcpt.email,
                    rcpt_parameters=rcpt.parameters,
                    mail_parameters=envelope.mail_from.parameters,
                )
                domain = unlocked.address.rpartition("@")[2]
                await self._queue.enqueue(
                    account_id,
                    domain,
                    outgoing,
                    queued,
                    submission_id=submission_id,
                    position=position,
                )
                status = DeliveryStatus(
                    email=rcpt.email, smtp_reply="250 2.0.0 queued for delivery", delivered="queued"
                )
            statuses.append(status)
        submission = Submission(
            id=submission_id,
            identity_id=identity_id,
            email_id=email.id,
            thread_id=email.thread_id,
            send_at=now(),
            undo_status="final",
            envelope=envelope,
            statuses=statuses,
        )
        await self._save(unlocked, submission)
        return submission

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
