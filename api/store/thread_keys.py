"""Keyed hashes of message ids and the threads they belong to (RFC 8621 3)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, exists, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.email_models import EmailRow, ThreadKeyRow
from api.store.ids import AccountId

__all__ = ["ThreadKeyRepository"]


class ThreadKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert(self) -> Any:
        dialect = self._session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ThreadKeyRow)

    async def find(
        self, account_id: AccountId, keys: Sequence[bytes]
    ) -> dict[bytes, tuple[str, bytes]]:
        """key -> (thread id, subject key) for the keys already known."""
        if not keys:
            return {}
        rows = await self._session.execute(
            select(ThreadKeyRow.key, ThreadKeyRow.thread_id, ThreadKeyRow.subject_key)
            .where(ThreadKeyRow.account_id == account_id)
            .where(ThreadKeyRow.key.in_(list(keys)))
        )
        return {bytes(key): (thread_id, bytes(subject)) for key, thread_id, subject in rows}

    async def add(
        self, account_id: AccountId, keys: Sequence[bytes], thread_id: str, subject_key: bytes
    ) -> None:
        """Register keys for a thread; a key some thread already has keeps its thread."""
        if not keys:
            return
        statement = self._insert().values(
            [
                {
                    "account_id": account_id,
                    "key": key,
                    "thread_id": thread_id,
                    "subject_key": subject_key,
                }
                for key in keys
            ]
        )
        await self._session.execute(
            statement.on_conflict_do_nothing(index_elements=["account_id", "key"])
        )

    async def remove_unused(self, threads: Iterable[tuple[str, str]]) -> None:
        """Forget the keys of (account id, thread id) pairs no email row still belongs to,
        so a purged conversation leaves no hash of its message ids behind."""
        pairs = sorted(set(threads))
        if not pairs:
            return
        still_used = exists().where(
            EmailRow.account_id == ThreadKeyRow.account_id,
            EmailRow.thread_id == ThreadKeyRow.thread_id,
        )
        await self._session.execute(
            delete(ThreadKeyRow)
            .where(tuple_(ThreadKeyRow.account_id, ThreadKeyRow.thread_id).in_(pairs))
            .where(~still_used)
        )
