"""Queries over the ``dkim_keys`` table (RFC 6376 3.6.1 key records, one per domain)."""

from __future__ import annotations

import msgspec
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.dkim_models import DkimKeyRow

__all__ = ["DkimKeyRecord", "DkimKeyRepository"]


class DkimKeyRecord(msgspec.Struct, frozen=True, kw_only=True):
    domain: str
    selector: str
    algorithm: str
    public_key: bytes
    private_key_sealed: bytes
    created_at: int

    def __repr__(self) -> str:
        return f"DkimKeyRecord({self.domain}, {self.selector}, <private key redacted>)"


class DkimKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, domain: str) -> DkimKeyRecord | None:
        row = await self._session.scalar(select(DkimKeyRow).where(DkimKeyRow.domain == domain))
        return None if row is None else msgspec.convert(row, DkimKeyRecord, from_attributes=True)

    async def put(self, record: DkimKeyRecord) -> None:
        """Store the domain's key, replacing the previous one (a rotation)."""
        await self._session.execute(delete(DkimKeyRow).where(DkimKeyRow.domain == record.domain))
        self._session.add(DkimKeyRow(**msgspec.structs.asdict(record)))
        await self._session.flush()
