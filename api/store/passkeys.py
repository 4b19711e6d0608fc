"""Queries over passkeys and the single-use challenges of their ceremonies."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.ids import AccountId, PasskeyId
from api.store.passkey_models import PasskeyRow, WebauthnChallengeRow
from api.store.passkey_records import PasskeyRecord, WebauthnChallengeRecord

__all__ = ["PasskeyRepository"]


def _record(row: PasskeyRow) -> PasskeyRecord:
    return msgspec.convert(row, PasskeyRecord, from_attributes=True)


class PasskeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: PasskeyRecord) -> None:
        self._session.add(PasskeyRow(**msgspec.structs.asdict(record)))
        await self._session.flush()

    async def list(self, account_id: AccountId) -> Sequence[PasskeyRecord]:
        rows = await self._session.scalars(
            select(PasskeyRow)
            .where(PasskeyRow.account_id == account_id)
            .order_by(PasskeyRow.created_at, PasskeyRow.id)
        )
        return [_record(r) for r in rows]

    async def count(self, account_id: AccountId) -> int:
        return len(await self.list(account_id))

    async def get_by_credential_id(self, credential_id: bytes) -> PasskeyRecord | None:
        row = await self._session.scalar(
            select(PasskeyRow).where(PasskeyRow.credential_id == credential_id)
        )
        return None if row is None else _record(row)

    async def exists(self, credential_id: bytes) -> bool:
        return await self.get_by_credential_id(credential_id) is not None

    async def remove(self, account_id: AccountId, passkey_id: PasskeyId) -> bool:
        result = await self._session.execute(
            delete(PasskeyRow)
            .where(PasskeyRow.account_id == account_id)
            .where(PasskeyRow.id == passkey_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def rename(self, account_id: AccountId, passkey_id: PasskeyId, name: str) -> bool:
        result = await self._session.execute(
            update(PasskeyRow)
            .where(PasskeyRow.account_id == account_id)
            .where(PasskeyRow.id == passkey_id)
            .values(name=name)
        )
        return bool(getattr(result, "rowcount", 0))

    async def set_slot(self, passkey_id: PasskeyId, slot: bytes) -> None:
        await self._session.execute(
            update(PasskeyRow).where(PasskeyRow.id == passkey_id).values(slot=slot)
        )

    async def claim_sign_count(self, passkey_id: PasskeyId, seen: int, new: int, day: int) -> bool:
        """Move the counter from `seen` to `new` atomically; False if another sign-in won.

        Two concurrent assertions with the same counter value cannot both succeed, so
        a cloned authenticator replaying a count is caught even under a race.
        """
        result = await self._session.execute(
            update(PasskeyRow)
            .where(PasskeyRow.id == passkey_id)
            .where(PasskeyRow.sign_count == seen)
            .values(sign_count=new, last_used_day=day)
        )
        return bool(getattr(result, "rowcount", 0))

    async def add_challenge(self, record: WebauthnChallengeRecord) -> None:
        self._session.add(WebauthnChallengeRow(**msgspec.structs.asdict(record)))
        await self._session.flush()

    async def take_challenge(
        self, challenge_hash: bytes, purpose: str, now: int
    ) -> WebauthnChallengeRecord | None:
        """Return and delete a live challenge: each one completes at most one ceremony."""
        row = await self._session.scalar(
            select(WebauthnChallengeRow)
            .where(WebauthnChallengeRow.challenge_hash == challenge_hash)
            .where(WebauthnChallengeRow.purpose == purpose)
            .where(WebauthnChallengeRow.expires_at > now)
        )
        if row is None:
            return None
        record = msgspec.convert(row, WebauthnChallengeRecord, from_attributes=True)
        result = await self._session.execute(
            delete(WebauthnChallengeRow).where(
                WebauthnChallengeRow.challenge_hash == challenge_hash
            )
        )
        # Someone else deleted it between the read and the delete: they used it.
        return record if getattr(result, "rowcount", 0) else None

    async def purge_expired(self, now: int) -> None:
        await self._session.execute(
            delete(WebauthnChallengeRow).where(WebauthnChallengeRow.expires_at <= now)
        )
