"""Rows of the ``blobs`` table, handed out as immutable BlobRecords."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.blobs.models import BlobRow
from api.store.ids import AccountId
from api.store.models import table_of

__all__ = ["BlobRecord", "BlobRepository"]

# Built once: a group of deliveries runs it.
_ADD_BLOBS = insert(table_of(BlobRow))

# Ids per IN list, well under any driver's bound-parameter limit.
_BATCH = 500


class BlobRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    account_id: AccountId
    size: int
    sealed_data_key: bytes
    stored_size: int
    created_at: int
    expires_at: int | None


def _record(row: BlobRow) -> BlobRecord:
    return msgspec.convert(row, BlobRecord, from_attributes=True)


class BlobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: BlobRecord) -> None:
        self._session.add(BlobRow(**msgspec.structs.asdict(record)))
        await self._session.flush()

    async def add_many(self, records: Sequence[BlobRecord]) -> None:
        """Bulk form of `add`: one executemany, for a group of deliveries."""
        if records:
            values = [msgspec.structs.asdict(record) for record in records]
            await self._session.execute(_ADD_BLOBS, values)

    async def get(self, account_id: AccountId, blob_id: str) -> BlobRecord | None:
        """The blob if it belongs to ``account_id``; another account's blob is None."""
        row = await self._session.scalar(
            select(BlobRow).where(BlobRow.id == blob_id).where(BlobRow.account_id == account_id)
        )
        return None if row is None else _record(row)

    async def get_many(self, account_id: AccountId, blob_ids: Sequence[str]) -> list[BlobRecord]:
        """The blobs among `blob_ids` that belong to `account_id`, in no order."""
        found: list[BlobRecord] = []
        for at in range(0, len(blob_ids), _BATCH):
            batch = blob_ids[at : at + _BATCH]
            # Account checked here, not in SQL: beside the id list SQLite would walk
            # ix_blobs_account_id, not primary keys (as EmailRepository.get_many).
            rows = await self._session.scalars(select(BlobRow).where(BlobRow.id.in_(batch)))
            found.extend(_record(row) for row in rows if row.account_id == account_id)
        return found

    async def known(self, blob_ids: Sequence[str]) -> set[str]:
        """Those of `blob_ids` that have a row, whatever their account."""
        found: set[str] = set()
        for at in range(0, len(blob_ids), _BATCH):
            batch = blob_ids[at : at + _BATCH]
            rows = await self._session.scalars(select(BlobRow.id).where(BlobRow.id.in_(batch)))
            found.update(rows)
        return found

    async def keep(self, account_id: AccountId, blob_id: str) -> None:
        """Clear the expiry: something (an Email, a draft) now references the blob."""
        await self._session.execute(
            update(BlobRow)
            .where(BlobRow.id == blob_id)
            .where(BlobRow.account_id == account_id)
            .values(expires_at=None)
        )

    async def expired(self, now: int, limit: int) -> Sequence[BlobRecord]:
        rows = await self._session.scalars(
            select(BlobRow)
            .where(BlobRow.expires_at.is_not(None))
            .where(BlobRow.expires_at <= now)
            .order_by(BlobRow.expires_at)
            .limit(limit)
        )
        return [_record(row) for row in rows]

    async def remove(self, blob_ids: Sequence[str]) -> None:
        await self._session.execute(delete(BlobRow).where(BlobRow.id.in_(blob_ids)))
