"""Reading and moving the sealed position of an import (api.store.import_models)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.ids import AccountId
from api.store.import_models import ImportProgressRow

__all__ = ["ImportProgressRepository"]


class ImportProgressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert(self) -> Any:
        dialect = self._session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ImportProgressRow)

    async def get(self, account_id: AccountId, source_key: bytes) -> bytes | None:
        sealed = await self._session.scalar(
            select(ImportProgressRow.position_sealed)
            .where(ImportProgressRow.account_id == account_id)
            .where(ImportProgressRow.source_key == source_key)
        )
        return None if sealed is None else bytes(sealed)

    async def put(
        self, account_id: AccountId, source_key: bytes, sealed: bytes, updated_at: int
    ) -> None:
        values = {"position_sealed": sealed, "updated_at": updated_at}
        statement = self._insert().values(account_id=account_id, source_key=source_key, **values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["account_id", "source_key"], set_=values
            )
        )
