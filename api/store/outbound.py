"""Claiming, rescheduling and finishing outbound queue entries (RFC 5321 4.5.4.1 retries).

A claim sets a lease: the claiming node sends the entry until the lease ends, and no
other node takes it before then. On PostgreSQL the claim locks rows with FOR UPDATE SKIP
LOCKED, so nodes claiming at the same moment take disjoint entries without waiting; on
SQLite the single writer makes the same UPDATE atomic (the FOR UPDATE clause is omitted).
"""

from __future__ import annotations

import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.blobs.models import BlobRow
from api.store.records import OutboundRecord
from api.store.submission_models import OutboundRow

__all__ = ["OutboundRepository"]


class OutboundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, now: int, lease_until: int, limit: int) -> list[OutboundRecord]:
        """Lease up to `limit` due entries that nobody holds, oldest due first."""
        due = (
            select(OutboundRow.id)
            .where(OutboundRow.next_attempt_at <= now)
            .where(OutboundRow.lease_until <= now)
            .order_by(OutboundRow.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = await self._session.scalars(
            update(OutboundRow)
            .where(OutboundRow.id.in_(due.scalar_subquery()))
            .where(OutboundRow.lease_until <= now)
            .values(lease_until=lease_until)
            .returning(OutboundRow)
            .execution_options(synchronize_session=False)
        )
        return [msgspec.convert(row, OutboundRecord, from_attributes=True) for row in rows]

    async def reschedule(
        self, entry_id: str, next_attempt_at: int, attempts: int, *, delay_warned: bool
    ) -> None:
        """Release the lease and try again at `next_attempt_at`."""
        await self._session.execute(
            update(OutboundRow)
            .where(OutboundRow.id == entry_id)
            .values(
                next_attempt_at=next_attempt_at,
                attempts=attempts,
                lease_until=0,
                delay_warned=delay_warned,
            )
        )

    async def finish(self, entry: OutboundRecord) -> bool:
        """Forget a delivered, bounced or expired entry, and its blob row if no other entry
        shares the blob; True when the caller should delete the blob's file after commit.

        The entry's DELETE comes first: on SQLite it takes the single write lock, so the
        check below cannot interleave with another finish. On PostgreSQL (READ COMMITTED)
        two nodes finishing the last two entries of one blob both lock the blob row
        before looking; the second one waits, then its fresh statement snapshot sees the
        first one's entry gone, so exactly one of them deletes the blob.
        """
        await self._session.execute(delete(OutboundRow).where(OutboundRow.id == entry.id))
        held = await self._session.scalar(
            select(BlobRow.id).where(BlobRow.id == entry.blob_id).with_for_update()
        )
        if held is None:
            return False  # already gone: whoever deleted it deletes the file
        others = await self._session.scalar(
            select(OutboundRow.id).where(OutboundRow.blob_id == entry.blob_id).limit(1)
        )
        if others is not None:
            return False
        await self._session.execute(delete(BlobRow).where(BlobRow.id == entry.blob_id))
        return True

    async def count(self) -> int:
        rows = await self._session.scalars(select(OutboundRow.id))
        return len(rows.all())
