"""Queries over app passwords, sign-in sessions and pending TOTP challenges."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.ids import AccountId, AppPasswordId
from api.store.models import AppPasswordRow, LoginChallengeRow, SessionRow
from api.store.records import AppPasswordRecord, LoginChallengeRecord, SessionRecord

__all__ = ["CredentialRepository"]


class CredentialRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_app_password(self, record: AppPasswordRecord) -> None:
        self._session.add(AppPasswordRow(**msgspec.structs.asdict(record)))
        await self._session.flush()

    async def list_app_passwords(self, account_id: AccountId) -> Sequence[AppPasswordRecord]:
        rows = await self._session.scalars(
            select(AppPasswordRow)
            .where(AppPasswordRow.account_id == account_id)
            .order_by(AppPasswordRow.created_at, AppPasswordRow.id)
        )
        return [msgspec.convert(r, AppPasswordRecord, from_attributes=True) for r in rows]

    async def remove_app_password(self, account_id: AccountId, app_id: AppPasswordId) -> bool:
        result = await self._session.execute(
            delete(AppPasswordRow)
            .where(AppPasswordRow.account_id == account_id)
            .where(AppPasswordRow.id == app_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def mark_app_password_used(self, app_id: AppPasswordId, day: int) -> None:
        await self._session.execute(
            update(AppPasswordRow)
            .where(AppPasswordRow.id == app_id)
            .where((AppPasswordRow.last_used_day.is_(None)) | (AppPasswordRow.last_used_day < day))
            .values(last_used_day=day)
        )

    async def add_session(self, record: SessionRecord) -> None:
        self._session.add(SessionRow(**msgspec.structs.asdict(record)))
        await self._session.flush()

    async def get_session(self, id_hash: bytes, now: int) -> SessionRecord | None:
        row = await self._session.scalar(
            select(SessionRow)
            .where(SessionRow.id_hash == id_hash)
            .where(SessionRow.expires_at > now)
        )
        return None if row is None else msgspec.convert(row, SessionRecord, from_attributes=True)

    async def remove_session(self, id_hash: bytes) -> None:
        await self._session.execute(delete(SessionRow).where(SessionRow.id_hash == id_hash))

    async def remove_sessions(self, account_id: AccountId, *, keep: bytes | None = None) -> None:
        query = delete(SessionRow).where(SessionRow.account_id == account_id)
        if keep is not None:
            query = query.where(SessionRow.id_hash != keep)
        await self._session.execute(query)

    async def add_challenge(self, record: LoginChallengeRecord) -> None:
        self._session.add(LoginChallengeRow(**msgspec.structs.asdict(record)))
        await self._session.flush()

    async def get_challenge(self, id_hash: bytes, now: int) -> LoginChallengeRecord | None:
        row = await self._session.scalar(
            select(LoginChallengeRow)
            .where(LoginChallengeRow.id_hash == id_hash)
            .where(LoginChallengeRow.expires_at > now)
        )
        if row is None:
            return None
        return msgspec.convert(row, LoginChallengeRecord, from_attributes=True)

    async def count_challenge_attempt(self, id_hash: bytes) -> None:
        await self._session.execute(
            update(LoginChallengeRow)
            .where(LoginChallengeRow.id_hash == id_hash)
            .values(attempts=LoginChallengeRow.attempts + 1)
        )

    async def remove_challenge(self, id_hash: bytes) -> None:
        await self._session.execute(
            delete(LoginChallengeRow).where(LoginChallengeRow.id_hash == id_hash)
        )

    async def remove_challenges(self, account_id: AccountId) -> None:
        await self._session.execute(
            delete(LoginChallengeRow).where(LoginChallengeRow.account_id == account_id)
        )

    async def purge_expired(self, now: int) -> None:
        await self._session.execute(delete(SessionRow).where(SessionRow.expires_at <= now))
        await self._session.execute(
            delete(LoginChallengeRow).where(LoginChallengeRow.expires_at <= now)
        )
