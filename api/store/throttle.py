"""Counters of failed sign-ins per keyed-hash key, and the per-installation secrets table."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.models import InstanceSecretRow, LoginFailureRow

__all__ = ["ThrottleRepository"]


class ThrottleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert(self, table: Any) -> Any:
        # Both dialects speak INSERT ... ON CONFLICT, which makes these writes race-free.
        dialect = self._session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

    async def instance_secret(self, name: str) -> bytes:
        """The named random 32-byte secret, created by whichever node asks first."""
        statement = self._insert(InstanceSecretRow).values(name=name, value=secrets.token_bytes(32))
        await self._session.execute(statement.on_conflict_do_nothing(index_elements=["name"]))
        value = await self._session.scalar(
            select(InstanceSecretRow.value).where(InstanceSecretRow.name == name)
        )
        assert value is not None
        return bytes(value)

    async def failures(self, key: bytes, window_start: int) -> tuple[int, int]:
        """(failures, start of their window) for `key` in the window beginning at window_start."""
        row = await self._session.get(LoginFailureRow, key, populate_existing=True)
        if row is None or row.window_start < window_start:
            return 0, 0
        return row.failures, row.window_start

    async def record_failure(self, key: bytes, now: int, window_start: int) -> int:
        """Count one failure and return the total in the current window."""
        stale = LoginFailureRow.window_start < window_start
        statement = self._insert(LoginFailureRow).values(key=key, failures=1, window_start=now)
        statement = statement.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": case((stale, 1), else_=LoginFailureRow.failures + 1),
                "window_start": case((stale, now), else_=LoginFailureRow.window_start),
            },
        ).returning(LoginFailureRow.failures)
        return int((await self._session.execute(statement)).scalar_one())

    async def clear(self, key: bytes) -> None:
        await self._session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == key))

    async def purge_before(self, window_start: int) -> None:
        await self._session.execute(
            delete(LoginFailureRow).where(LoginFailureRow.window_start < window_start)
        )
