"""Writing one recipient's deliveryStatus (RFC 8621 7) without a user key, forward only.

Two writers race for a status: the submit call that queued the recipient, and the
queue sender that delivered it meanwhile (a fast remote MX answers before submit has
written "queued"). The write is one conditional UPDATE on the plaintext stage, so a
final "yes" or "no" is never taken back to "queued", on SQLite and PostgreSQL alike.
Submit writes its "queued" statuses with `write_many` inside the transaction that
commits the queue entries, so the queue never holds an entry whose status is pending.
"""

from __future__ import annotations

from collections.abc import Sequence

from api.core.blobs import BlobService
from api.core.submission_model import SUBMISSION_TYPE, DeliveryStatus, stage_of
from api.core.submission_sealing import seal_status
from api.store.changes import UPDATED
from api.store.ids import AccountId
from api.store.unit_of_work import Store, Transaction

__all__ = ["SubmissionStatusWriter"]


class SubmissionStatusWriter:
    def __init__(self, store: Store, blobs: BlobService) -> None:
        self._store = store
        self._blobs = blobs

    async def record(
        self, account_id: AccountId, submission_id: str, position: int, status: DeliveryStatus
    ) -> bool:
        """Seal and write the status; False when the record is gone or already further."""
        public_key = await self._blobs.public_key(account_id)
        sealed = seal_status(public_key, submission_id, position, status)
        async with self._store.transaction() as tx:
            [written] = await self.write_many(
                tx, account_id, submission_id, [(position, sealed, stage_of(status))]
            )
        return written

    async def write_many(
        self,
        tx: Transaction,
        account_id: AccountId,
        submission_id: str,
        sealed: Sequence[tuple[int, bytes, int]],
    ) -> list[bool]:
        """Write sealed (position, status, stage) triples in `tx`; which were written."""
        # Not written: the user destroyed the submission meanwhile, or it is further.
        written = [
            await tx.submissions.set_status(submission_id, position, status, stage)
            for position, status, stage in sealed
        ]
        if any(written):
            modseq = await tx.changes.next_modseq(account_id)
            await tx.changes.record(account_id, modseq, SUBMISSION_TYPE, [(submission_id, UPDATED)])
        return written
