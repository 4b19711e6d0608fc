"""Queries over identities (RFC 8621 6); the details arrive and leave sealed."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.identity_models import IdentityRow
from api.store.ids import AccountId
from api.store.models import AccountRow, AliasRow
from api.store.records import IdentityRecord

__all__ = ["IdentityRepository"]


def _record(row: IdentityRow) -> IdentityRecord:
    return msgspec.convert(row, IdentityRecord, from_attributes=True)


class IdentityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: IdentityRecord) -> None:
        self._session.add(IdentityRow(**msgspec.structs.asdict(record)))
        await self._session.flush()

    async def list(self, account_id: AccountId) -> Sequence[IdentityRecord]:
        rows = await self._session.scalars(
            select(IdentityRow).where(IdentityRow.account_id == account_id).order_by(IdentityRow.id)
        )
        return [_record(row) for row in rows]

    async def update_details(
        self, account_id: AccountId, identity_id: str, details_sealed: bytes
    ) -> None:
        await self._session.execute(
            update(IdentityRow)
            .where(IdentityRow.account_id == account_id)
            .where(IdentityRow.id == identity_id)
            .values(details_sealed=details_sealed)
        )

    async def remove(self, account_id: AccountId, identity_id: str) -> None:
        await self._session.execute(
            delete(IdentityRow)
            .where(IdentityRow.account_id == account_id)
            .where(IdentityRow.id == identity_id)
        )

    async def addresses(self, account_id: AccountId) -> tuple[str, tuple[str, ...]]:
        """The account's own address and its aliases: what an identity may send as."""
        own = await self._session.scalar(
            select(AccountRow.address).where(AccountRow.id == account_id)
        )
        aliases = await self._session.scalars(
            select(AliasRow.address)
            .where(AliasRow.account_id == account_id)
            .order_by(AliasRow.address)
        )
        return str(own or ""), tuple(aliases)
