"""Email/query in SQL (RFC 8621 4.4): filtered, sorted id pages, counts and candidate scans.

A query whose filter requires one mailbox (inMailbox alone or in the top-level AND) is
driven by that mailbox's rows of ix_email_mailboxes_received, so "newest 50 in the
Inbox" is an index range scan that stops after 50 rows. Every other query reads the
account's live emails. Sorts always end with the email id, in the direction of the last
comparator, so equal keys order the same way on every backend and every run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, null, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.email_filter import (
    InMailbox,
    Operator,
    Scope,
    SqlFilter,
    SqlSort,
    condition_sql,
    sort_sql,
)
from api.store.email_models import EmailMailboxRow, EmailRow
from api.store.ids import AccountId

__all__ = ["Candidate", "EmailQueryRepository"]

# Rows fetched per round trip of a scan (one thread hop each on aiosqlite).
_SCAN_BATCH = 1000


@dataclass(frozen=True, slots=True)
class Candidate:
    """One email a scan read: what the core needs to finish filtering, sorting, collapsing."""

    id: str
    thread_id: str | None
    summary_sealed: bytes | None
    # The value of each requested comparator, in order (see sort_sql).
    sort_values: tuple[Any, ...]
    # Whether each requested condition holds, in order.
    conditions: tuple[bool, ...]


def _driving_mailbox(node: SqlFilter) -> str | None:
    """A mailbox every result must be in, found at the top of the tree."""
    if isinstance(node, InMailbox):
        return node.mailbox_id
    if isinstance(node, Operator) and node.operator == "AND":
        for child in node.conditions:
            if isinstance(child, InMailbox):
                return child.mailbox_id
    return None


def _scope(account_id: AccountId, node: SqlFilter) -> Scope:
    mailbox_id = _driving_mailbox(node)
    if mailbox_id is None:
        return Scope(account_id=account_id, email=EmailRow)
    return Scope(
        account_id=account_id, email=EmailRow, member=EmailMailboxRow, mailbox_id=mailbox_id
    )


def _select(scope: Scope, node: SqlFilter, *columns: Any) -> Select[Any]:
    email = scope.email
    query = select(*columns)
    if scope.member is not None:
        query = (
            query.select_from(scope.member)
            .join(email, email.id == scope.member.email_id)
            .where(scope.member.mailbox_id == scope.mailbox_id)
        )
    else:
        query = query.select_from(email)
    # The account check also guards a mailbox id of another account. Mail delivered
    # since the caller's catch_up stays out until threaded, like everywhere else.
    return query.where(
        email.account_id == scope.account_id,
        email.deleted_at.is_(None),
        email.pending.is_(False),
        condition_sql(node, scope),
    )


def _ordered(query: Select[Any], scope: Scope, sort: Sequence[SqlSort]) -> Select[Any]:
    keys: list[ColumnElement[Any]] = []
    for comparator in sort:
        value = sort_sql(comparator, scope)
        keys.append(value.asc() if comparator.ascending else value.desc())
    ascending = sort[-1].ascending if sort else True
    keys.append(scope.email_id.asc() if ascending else scope.email_id.desc())
    return query.order_by(*keys)


class EmailQueryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ids(
        self,
        account_id: AccountId,
        node: SqlFilter,
        sort: Sequence[SqlSort],
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[str]:
        """Ids of the matching live emails in sort order, from `offset`, at most `limit`."""
        scope = _scope(account_id, node)
        query = _ordered(_select(scope, node, scope.email_id), scope, sort)
        if offset:
            query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return list(await self._session.scalars(query))

    async def count(self, account_id: AccountId, node: SqlFilter) -> int:
        scope = _scope(account_id, node)
        return int(await self._session.scalar(_select(scope, node, func.count())) or 0)

    async def scan(
        self,
        account_id: AccountId,
        node: SqlFilter,
        *,
        sort: Sequence[SqlSort],
        values: Sequence[SqlSort] = (),
        conditions: Sequence[SqlFilter] = (),
        summaries: bool = False,
        visit: Callable[[list[Candidate]], bool],
    ) -> None:
        """Feed the matching emails, ordered by `sort`, to `visit` in batches until it
        returns False. Each candidate carries the values of `values` and the truth of
        each of `conditions`, which the core combines with sealed data."""
        scope = _scope(account_id, node)
        columns: list[Any] = [scope.email_id, scope.email.thread_id]
        columns.append(scope.email.summary_sealed if summaries else null())
        columns.extend(sort_sql(s, scope) for s in values)
        columns.extend(case((condition_sql(c, scope), 1), else_=0) for c in conditions)
        query = _ordered(_select(scope, node, *columns), scope, sort)
        first_condition = 3 + len(values)
        result = await self._session.stream(query)
        try:
            async for rows in result.partitions(_SCAN_BATCH):
                batch = [
                    Candidate(
                        id=row[0],
                        thread_id=row[1],
                        summary_sealed=None if row[2] is None else bytes(row[2]),
                        sort_values=tuple(row[3:first_condition]),
                        conditions=tuple(bool(v) for v in row[first_condition:]),
                    )
                    for row in rows
                ]
                if not visit(batch):
                    return
        finally:
            await result.close()
