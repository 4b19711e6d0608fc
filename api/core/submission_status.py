"""Writing one recipient's deliveryStatus (RFC 8621 7) without a user key, forward only.

Two writers race for a status: the submit call that queued the recipient, and the
queue sender that delivered it meanwhile (a fast remote MX answers before submit has
written "queued"). The write is one conditional UPDATE on the plaintext stage, so a
final "yes" or "no" is never taken back to "queued", on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from api.core.blobs import BlobService
from api.core.submission_model import SUBMISSION_TYPE, DeliveryStatus, stage_of
from api.core.submission_sealing import seal_status
from api.store.changes import UPDATED
from api.store.ids import AccountId
from api.store.unit_of_work import Store

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
            # No row: the user destroyed the submission meanwhile, nothing to update.
            if not await tx.submissions.set_status(
                submission_id, position, sealed, stage_of(status)
            ):
                return False
            modseq = await tx.changes.next_modseq(account_id)
            await tx.changes.record(account_id, modseq, SUBMISSION_TYPE, [(submission_id, UPDATED)])
        return True
