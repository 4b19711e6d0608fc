"""Reading and replacing the sealed files of an account's search index (api.store.search_models)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.email_models import EmailRow
from api.store.ids import AccountId
from api.store.search_models import SearchFileRow, SearchRemovalRow

__all__ = ["SearchFileRepository"]

# Ids per IN list, well under every backend's bound parameter limit.
_IN_BATCH = 500


class SearchFileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self, account_id: AccountId) -> dict[str, bytes]:
        """Every sealed file of the account's index, by name."""
        rows = await self._session.execute(
            select(SearchFileRow.name, SearchFileRow.sealed).where(
                SearchFileRow.account_id == account_id
            )
        )
        return {name: bytes(sealed) for name, sealed in rows}

    async def replace(
        self, account_id: AccountId, written: Mapping[str, bytes], removed: Sequence[str]
    ) -> None:
        """Write `written` (new or rewritten files) and drop `removed`, in the caller's
        transaction: a restore sees the snapshot before or after, never half of it."""
        names = [*written, *removed]
        if names:
            await self._session.execute(
                delete(SearchFileRow).where(
                    SearchFileRow.account_id == account_id, SearchFileRow.name.in_(names)
                )
            )
        self._session.add_all(
            SearchFileRow(account_id=account_id, name=name, sealed=sealed)
            for name, sealed in written.items()
        )
        await self._session.flush()

    async def remove_all(self, account_id: AccountId) -> int:
        await self.forget_removals(account_id)
        result = await self._session.execute(
            delete(SearchFileRow).where(SearchFileRow.account_id == account_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def removals(self, account_id: AccountId) -> list[str]:
        """Ids of emails dropped for good that the account's index may still hold."""
        rows = await self._session.scalars(
            select(SearchRemovalRow.email_id).where(SearchRemovalRow.account_id == account_id)
        )
        return list(rows)

    async def forget_removals(
        self, account_id: AccountId, email_ids: Sequence[str] | None = None
    ) -> None:
        """Drop queued removals the index has applied (all of them with no ids)."""
        query = delete(SearchRemovalRow).where(SearchRemovalRow.account_id == account_id)
        if email_ids is None:
            await self._session.execute(query)
            return
        for start in range(0, len(email_ids), _IN_BATCH):
            batch = list(email_ids[start : start + _IN_BATCH])
            await self._session.execute(query.where(SearchRemovalRow.email_id.in_(batch)))

    async def live_email_ids(self, account_id: AccountId) -> set[str]:
        """Every threaded email of the account, deleted-but-recoverable ones included: what
        the index should hold."""
        rows = await self._session.scalars(
            select(EmailRow.id).where(
                EmailRow.account_id == account_id, EmailRow.pending.is_(False)
            )
        )
        return set(rows)
