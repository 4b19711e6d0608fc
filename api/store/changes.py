"""The per-account change log: positions (JMAP states, IMAP MODSEQ) and /changes queries."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.errors import StoreError
from api.store.ids import AccountId
from api.store.mail_models import AccountCounterRow, ChangeRow, TypeStateRow
from api.store.models import AccountRow, table_of
from api.store.records import ChangeSet
from api.store.sqlite_driver import deferred_writes

__all__ = [
    "CREATED",
    "DESTROYED",
    "PENDING_DELIVERY",
    "UPDATED",
    "ChangeLogRepository",
    "StateTooOldError",
]

CREATED, UPDATED, DESTROYED = "c", "u", "d"
# Not a data type: a marker in `touched` saying the transaction added a pending (locked,
# unthreaded) email, so every node's catch_up knows to look again. Stripped before push.
PENDING_DELIVERY = "#pending"


class StateTooOldError(StoreError):
    """The state is older than the kept log, newer than the newest, or a single position
    holds more objects than the caller may receive: the client must resynchronise."""


def _collapse(kinds: list[str]) -> str | None:
    """Net effect of an object's changes since the state (RFC 8620 5.2)."""
    first, last = kinds[0], kinds[-1]
    if first == CREATED:
        return None if last == DESTROYED else CREATED
    return DESTROYED if last == DESTROYED else UPDATED


_ADD_CHANGES = insert(table_of(ChangeRow))


@dataclass(frozen=True, slots=True)
class _Upserts:
    """The change log's hot statements, built once per dialect: building one (an upsert's
    `excluded` above all) cost more CPU than running it, in every write of every client."""

    next_modseq: Any
    next_modseq_charged: Any
    move_type_states: Any


@functools.cache
def _upserts(dialect: str) -> _Upserts:
    # Both dialects speak INSERT ... ON CONFLICT; on the tables, not the classes, so no
    # ORM bulk path runs around the statement.
    insert_into = postgresql.insert if dialect == "postgresql" else sqlite.insert
    counters, accounts = table_of(AccountCounterRow), table_of(AccountRow)
    account_id = bindparam("counter_account_id", type_=counters.c.account_id.type)
    octets = bindparam("octets", type_=counters.c.mail_octets.type)
    next_modseq = insert_into(counters).values(account_id=account_id, modseq=1, mail_octets=0)
    charged = insert_into(counters).values(account_id=account_id, modseq=1, mail_octets=octets)
    quota = select(accounts.c.quota_octets).where(accounts.c.id == account_id).scalar_subquery()
    states = insert_into(table_of(TypeStateRow))
    return _Upserts(
        next_modseq=next_modseq.on_conflict_do_update(
            index_elements=["account_id"], set_={"modseq": counters.c.modseq + 1}
        ).returning(counters.c.modseq),
        next_modseq_charged=charged.on_conflict_do_update(
            index_elements=["account_id"],
            set_={"modseq": counters.c.modseq + 1, "mail_octets": counters.c.mail_octets + octets},
        ).returning(counters.c.modseq, counters.c.mail_octets, quota),
        # An executemany, so the statement (and its compiled form) is the same every time.
        move_type_states=states.on_conflict_do_update(
            index_elements=["account_id", "type"], set_={"modseq": states.excluded.modseq}
        ),
    )


class ChangeLogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # What this transaction changed, for the commit listeners (push).
        self.touched: dict[AccountId, set[str]] = {}

    def _statements(self) -> _Upserts:
        return _upserts(self._session.get_bind().dialect.name)

    async def next_modseq(self, account_id: AccountId) -> int:
        """Take the next position; the row lock serialises writers of one account.

        One upsert: a new account's counter starts at 1, an existing one moves up by 1.
        """
        result = await self._session.execute(
            self._statements().next_modseq, {"counter_account_id": account_id}
        )
        return int(result.scalar_one())

    async def next_modseq_charged(
        self, account_id: AccountId, octets: int
    ) -> tuple[int, int, int | None]:
        """`next_modseq` and `add_mail_octets(octets)` in one statement, for delivery:
        (position, new total, the account's own quota setting)."""
        result = await self._session.execute(
            self._statements().next_modseq_charged,
            {"counter_account_id": account_id, "octets": octets},
        )
        modseq, used, limit = result.one()
        return int(modseq), int(used), limit

    async def record(
        self, account_id: AccountId, modseq: int, type_name: str, changes: Iterable[tuple[str, str]]
    ) -> None:
        """Log (object id, kind) pairs at `modseq` and move the type's state there.

        Several changes of one object in one batch are logged as their net effect.
        """
        await self.record_all(account_id, modseq, {type_name: changes})

    async def record_all(
        self,
        account_id: AccountId,
        modseq: int,
        changes: Mapping[str, Iterable[tuple[str, str]]],
    ) -> None:
        """`record` for several types at one position, in one INSERT per table."""
        rows: list[dict[str, object]] = []
        moved: list[str] = []
        for type_name, pairs in changes.items():
            histories: dict[str, list[str]] = {}
            for object_id, kind in pairs:
                histories.setdefault(object_id, []).append(kind)
            typed = [
                {
                    "account_id": account_id,
                    "modseq": modseq,
                    "type": type_name,
                    "object_id": oid,
                    "kind": k,
                }
                for oid, history in histories.items()
                if (k := _collapse(history)) is not None
            ]
            if typed:
                rows.extend(typed)
                moved.append(type_name)
        if not rows:
            return
        self.touched.setdefault(account_id, set()).update(moved)
        states = [
            {"account_id": account_id, "type": t, "modseq": modseq, "floor": 0} for t in moved
        ]
        # Nothing is read back, and a failure fails the transaction: on SQLite both go
        # with the transaction's next statement or its COMMIT.
        async with deferred_writes(self._session):
            # Core executemany: the ORM's add_all and flush cost more CPU than the INSERT.
            await self._session.execute(_ADD_CHANGES, rows)
            await self._session.execute(self._statements().move_type_states, states)

    def mark_pending_delivery(self, account_id: AccountId) -> None:
        """Tell every node, once this commits, that the account has a pending email."""
        self.touched.setdefault(account_id, set()).add(PENDING_DELIVERY)

    async def add_mail_octets(self, account_id: AccountId, delta: int) -> int:
        """Move the account's live-mail total by `delta` and return the new total.

        Callers took next_modseq first, so the row exists and is locked.
        """
        result = await self._session.execute(
            update(AccountCounterRow)
            .where(AccountCounterRow.account_id == account_id)
            .values(mail_octets=AccountCounterRow.mail_octets + delta)
            .returning(AccountCounterRow.mail_octets)
        )
        return int(result.scalar_one())

    async def position(self, account_id: AccountId) -> int:
        """The newest change-log position of the account: a valid IMAP HIGHESTMODSEQ for
        every mailbox (RFC 7162 3.1.2.1 asks only that it grow with each change)."""
        row = await self._session.get(AccountCounterRow, account_id)
        return 0 if row is None else row.modseq

    async def mail_octets(self, account_id: AccountId) -> int:
        row = await self._session.get(AccountCounterRow, account_id)
        return 0 if row is None else row.mail_octets

    async def state(self, account_id: AccountId, type_name: str) -> int:
        row = await self._session.get(TypeStateRow, (account_id, type_name))
        return 0 if row is None else row.modseq

    async def changes_since(
        self, account_id: AccountId, type_name: str, since: int, max_changes: int
    ) -> ChangeSet:
        row = await self._session.get(TypeStateRow, (account_id, type_name))
        current, floor = (0, 0) if row is None else (row.modseq, row.floor)
        if since < floor or since > current:
            raise StateTooOldError(f"state {since} of {type_name} cannot be brought up to date")
        result = await self._session.execute(
            select(ChangeRow.modseq, ChangeRow.object_id, ChangeRow.kind)
            .where(ChangeRow.account_id == account_id)
            .where(ChangeRow.type == type_name)
            .where(ChangeRow.modseq > since)
            .order_by(ChangeRow.modseq, ChangeRow.object_id)
        )
        kinds: dict[str, list[str]] = {}
        reached, has_more = since, False
        pending: dict[str, list[str]] = {}
        pending_modseq = since
        for modseq, object_id, kind in result:
            if modseq != pending_modseq:
                # A position is reported whole or not at all, so the new state is exact.
                if len(kinds.keys() | pending.keys()) > max_changes:
                    has_more = True
                    break
                _merge(kinds, pending)
                reached, pending, pending_modseq = pending_modseq, {}, modseq
            pending.setdefault(object_id, []).append(kind)
        else:
            if len(kinds.keys() | pending.keys()) > max_changes:
                has_more = True
            else:
                _merge(kinds, pending)
                reached = pending_modseq
        if has_more and reached == since:
            raise StateTooOldError(f"one change of {type_name} exceeds maxChanges")
        return _change_set(kinds, reached, has_more)


def _merge(into: dict[str, list[str]], pending: dict[str, list[str]]) -> None:
    for object_id, kinds in pending.items():
        into.setdefault(object_id, []).extend(kinds)


def _change_set(kinds: dict[str, list[str]], reached: int, has_more: bool) -> ChangeSet:
    buckets: dict[str, list[str]] = {CREATED: [], UPDATED: [], DESTROYED: []}
    for object_id, history in kinds.items():
        net = _collapse(history)
        if net is not None:
            buckets[net].append(object_id)
    return ChangeSet(
        created=buckets[CREATED],
        updated=buckets[UPDATED],
        destroyed=buckets[DESTROYED],
        new_modseq=reached,
        has_more=has_more,
    )
