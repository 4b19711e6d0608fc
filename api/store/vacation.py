"""Queries over the VacationResponse singleton (RFC 8621 8) and its reply log (RFC 3834 2)."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.identity_models import VacationReplyRow, VacationResponseRow
from api.store.ids import AccountId
from api.store.records import VacationRecord

__all__ = ["VacationRepository"]


class VacationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert(self, table: Any) -> Any:
        # Both dialects speak INSERT ... ON CONFLICT.
        dialect = self._session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

    async def get(self, account_id: AccountId) -> VacationRecord | None:
        row = await self._session.get(VacationResponseRow, account_id, populate_existing=True)
        return None if row is None else msgspec.convert(row, VacationRecord, from_attributes=True)

    async def put(self, record: VacationRecord) -> None:
        values = msgspec.structs.asdict(record)
        changed = {k: v for k, v in values.items() if k != "account_id"}
        statement = self._insert(VacationResponseRow).values(**values)
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=["account_id"], set_=changed)
        )

    async def claim_reply(
        self, account_id: AccountId, sender_key: bytes, now: int, period: int
    ) -> bool:
        """Note a reply to `sender_key` at `now` unless one went out less than `period`
        seconds ago; True when this caller may reply. One statement, so two deliveries
        racing for the same sender cannot both win."""
        statement = self._insert(VacationReplyRow).values(
            account_id=account_id, sender_key=sender_key, replied_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=["account_id", "sender_key"],
            set_={"replied_at": now},
            where=VacationReplyRow.replied_at <= now - period,
        ).returning(VacationReplyRow.replied_at)
        return (await self._session.execute(statement)).first() is not None

    async def clear_replies(self, account_id: AccountId) -> None:
        """Forget whom the auto-reply answered: a new vacation answers everyone once again."""
        await self._session.execute(
            delete(VacationReplyRow).where(VacationReplyRow.account_id == account_id)
        )
