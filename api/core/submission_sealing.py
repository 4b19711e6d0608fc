"""EmailSubmission records sealed and opened (RFC 8621 7; DESIGN.md "Keys").

The envelope is sealed under the MK submissions subkey; each recipient's delivery
status is sealed to the account's public key, since the queue that updates it later
holds no user key.
"""

from __future__ import annotations

import msgspec

from api.core.submission_model import DeliveryStatus, Submission, SubmissionEnvelope
from api.store.ids import AccountId
from api.store.records import SubmissionRecord
from crypto.aead import open_sealed, seal
from crypto.labels import bind
from crypto.master_key import SUBKEY_SUBMISSIONS, MasterKey
from crypto.sealing import open_with_private_key, seal_to_public_key
from crypto.secret_value import SecretBytes

__all__ = ["open_record", "seal_status", "sealed_record"]


def _envelope_aad(account_id: str, submission_id: str) -> bytes:
    return bind(b"sealbox/v1/submission-envelope", account_id, submission_id)


def _status_info(submission_id: str, position: int) -> bytes:
    return bind(b"sealbox/v1/submission-status", submission_id, str(position))


def seal_status(
    public_key: bytes, submission_id: str, position: int, status: DeliveryStatus
) -> bytes:
    return seal_to_public_key(
        public_key, msgspec.msgpack.encode(status), info=_status_info(submission_id, position)
    )


def sealed_record(
    master_key: MasterKey,
    public_key: bytes,
    account_id: AccountId,
    submission: Submission,
    claimed_until: int,
) -> SubmissionRecord:
    key = master_key.subkey(SUBKEY_SUBMISSIONS)
    envelope = msgspec.msgpack.encode(submission.envelope)
    return SubmissionRecord(
        id=submission.id,
        account_id=account_id,
        identity_id=submission.identity_id,
        email_id=submission.email_id,
        thread_id=submission.thread_id,
        send_at=submission.send_at,
        undo_status=submission.undo_status,
        envelope_sealed=seal(key, envelope, _envelope_aad(account_id, submission.id)),
        claimed_until=claimed_until,
        recipients={
            position: seal_status(public_key, submission.id, position, status)
            for position, status in enumerate(submission.statuses)
        },
    )


def open_record(
    master_key: MasterKey, private_key: SecretBytes, record: SubmissionRecord
) -> Submission:
    key = master_key.subkey(SUBKEY_SUBMISSIONS)
    envelope = msgspec.msgpack.decode(
        open_sealed(key, record.envelope_sealed, _envelope_aad(record.account_id, record.id)),
        type=SubmissionEnvelope,
    )
    statuses = [
        msgspec.msgpack.decode(
            open_with_private_key(private_key, sealed, info=_status_info(record.id, position)),
            type=DeliveryStatus,
        )
        for position, sealed in sorted(record.recipients.items())
    ]
    return Submission(
        id=record.id,
        identity_id=record.identity_id,
        email_id=record.email_id,
        thread_id=record.thread_id,
        send_at=record.send_at,
        undo_status=record.undo_status,
        envelope=envelope,
        statuses=statuses,
    )
