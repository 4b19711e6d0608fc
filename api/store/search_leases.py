"""The writer lease of an account's search index (api.store.search_models, search_leases).

Every statement is one atomic conditional write, the same on SQLite and PostgreSQL: an
upsert whose update applies only while the lease is ours or has run out, and a seal that
applies only while the lease is still ours. On PostgreSQL the row lock makes a taker
wait for a sealing holder's commit and then see the holder's renewed expiry.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.ids import AccountId
from api.store.search_models import SearchLeaseRow

__all__ = ["LeaseView", "SearchLeaseRepository"]


@dataclass(frozen=True, slots=True)
class LeaseView:
    holder: str
    expires_at: int
    generation: str


def _token() -> str:
    return secrets.token_hex(16)


class SearchLeaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert(self) -> Any:
        dialect = self._session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SearchLeaseRow)

    async def acquire(self, account_id: AccountId, holder: str, now: int, until: int) -> bool:
        """Take or renew the lease until `until` (ms); False while another node holds it."""
        statement = self._insert().values(
            account_id=account_id, holder=holder, expires_at=until, generation=_token()
        )
        statement = statement.on_conflict_do_update(
            index_elements=[SearchLeaseRow.account_id],
            set_={"holder": holder, "expires_at": until},
            where=(SearchLeaseRow.holder == holder) | (SearchLeaseRow.expires_at <= now),
        ).returning(SearchLeaseRow.holder)
        return (await self._session.execute(statement)).scalar_one_or_none() == holder

    async def seal(self, account_id: AccountId, holder: str, until: int) -> bool:
        """Mark a new sealed generation and renew, only while the lease is ours: the
        caller writes the sealed files in this transaction only when this is True. A
        lease run out but not taken is still ours: a taker changes the holder."""
        result = await self._session.execute(
            update(SearchLeaseRow)
            .where(SearchLeaseRow.account_id == account_id, SearchLeaseRow.holder == holder)
            .values(expires_at=until, generation=_token())
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    async def release(self, account_id: AccountId, holder: str) -> None:
        """Let another node take the lease at once; the generation stays."""
        await self._session.execute(
            update(SearchLeaseRow)
            .where(SearchLeaseRow.account_id == account_id, SearchLeaseRow.holder == holder)
            .values(expires_at=0)
        )

    async def get(self, account_id: AccountId) -> LeaseView | None:
        row = (
            await self._session.execute(
                select(
                    SearchLeaseRow.holder, SearchLeaseRow.expires_at, SearchLeaseRow.generation
                ).where(SearchLeaseRow.account_id == account_id)
            )
        ).one_or_none()
        return None if row is None else LeaseView(row[0], int(row[1]), row[2])

    async def seize(self, account_id: AccountId, holder: str, until: int) -> None:
        """Take the lease whoever holds it, with a new generation: with the sealed rows
        deleted (search off, reindex), a writer elsewhere must fail its next seal, which
        would otherwise store only its newest files over the empty snapshot."""
        statement = self._insert().values(
            account_id=account_id, holder=holder, expires_at=until, generation=_token()
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[SearchLeaseRow.account_id],
                set_={"holder": holder, "expires_at": until, "generation": _token()},
            )
        )
