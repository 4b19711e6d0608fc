"""Running Email/query and Email/queryChanges for an unlocked account (RFC 8621 4.4, 4.5).

Four costs, cheapest first:
- text conditions only, sorted by receivedAt: the index ranks the page and counts the
  total (api.core.ranked_query), one small SQL transaction checks the page;
- plaintext filter and sort, no collapseThreads: one SQL page (LIMIT/OFFSET), plus a
  COUNT only when a total is needed (calculateTotal, a negative position); from position
  500 on, or with an anchor, a slice of the whole id list, kept per Email state
  (api.core.query_results);
- collapseThreads, or a sealed filter condition, with a plaintext sort: a streamed scan
  in sort order that decrypts each candidate's summary (~5 us: AES-GCM and msgpack) when
  a sealed condition needs it, and stops once the window is full;
- a from/to/subject sort: every candidate's summary is decrypted and sorted in memory,
  so 100,000 candidates cost about half a second. Narrow the filter to avoid it.
An anchor needs the whole sorted id list to find the anchor's position.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Any, cast

from api.core.email_filter import (
    SUMMARY_SORTS,
    EmailComparator,
    EmailFilter,
    FilterOperator,
    evaluate,
    is_immutable,
    needs_summary,
    plaintext,
    required_texts,
    sql_conditions,
    superset,
    text_conditions,
    through_index,
    uses_threads,
)
from api.core.email_sort import Hit, first_of_thread, sort_hits
from api.core.email_summary import open_summary
from api.core.errors import (
    QueryAnchorNotFoundError,
    QueryChangesUnavailableError,
    TooManyQueryChangesError,
)
from api.core.ingest import EMAIL_TYPE, EmailIngest
from api.core.mail_search import TextCondition
from api.core.query_results import DEEP_POSITION, QueryResults
from api.core.ranked_query import RankedQueries
from api.core.unlocked import UnlockedAccount
from api.store.changes import StateTooOldError
from api.store.email_filter import Constant, EmailIn, SqlFilter, SqlSort
from api.store.email_query import Candidate
from api.store.unit_of_work import Store, Transaction
from crypto.master_key import SUBKEY_SUMMARIES

__all__ = [
    "DEFAULT_SORT",
    "EmailQuery",
    "EmailQueryService",
    "QueryChanges",
    "QueryResult",
    "QueryWindow",
]

# RFC 8620 5.5 leaves the default order to the server: newest received first, as every
# mail client shows a mailbox.
DEFAULT_SORT = (EmailComparator(property="receivedAt", ascending=False),)
_IMMUTABLE_SORTS = frozenset({"receivedAt", "size", "sentAt"})
_THREAD_SORTS = frozenset({"allInThreadHaveKeyword", "someInThreadHaveKeyword"})
# /queryChanges reads every change since the state; maxChanges bounds the answer instead.
_ALL_CHANGES = 1 << 62
_MATCH_ALL = Constant(True)
# Up to this many hits of the required text conditions go to SQL as an id list, so a rare
# word reads only its own rows; more, and the scan in sort order finds the window sooner.
_NARROW_MAX = 1000
Texts = Mapping[TextCondition, frozenset[str]]
_NO_TEXTS: Texts = {}


@dataclass(frozen=True, slots=True)
class EmailQuery:
    filter: EmailFilter = _MATCH_ALL
    sort: tuple[EmailComparator, ...] = DEFAULT_SORT
    collapse_threads: bool = False


@dataclass(frozen=True, slots=True)
class QueryWindow:
    position: int = 0
    anchor: str | None = None
    anchor_offset: int = 0
    limit: int | None = None
    calculate_total: bool = False


@dataclass(frozen=True, slots=True)
class QueryResult:
    ids: list[str]
    position: int
    total: int | None
    state: int


@dataclass(frozen=True, slots=True)
class QueryChanges:
    removed: list[str]
    added: list[tuple[int, str]]  # (index in the new results, id), by index
    total: int | None
    state: int


@dataclass(slots=True)
class _Scan:
    """Collects a scan's hits; `complete` is False when it stopped at a full window."""

    hits: list[Hit] = field(default_factory=list)
    threads: set[str] = field(default_factory=set)
    complete: bool = True


def _sql_sort(comparators: tuple[EmailComparator, ...]) -> list[SqlSort]:
    return [
        SqlSort(cast(Any, c.property), c.ascending, c.keyword)
        for c in comparators
        if c.property not in SUMMARY_SORTS
    ]


def _window(ids: list[str], window: QueryWindow) -> tuple[int, list[str]]:
    """(position used, ids shown) over the whole result (RFC 8620 5.5)."""
    if window.anchor is not None:
        try:
            start = ids.index(window.anchor) + window.anchor_offset
        except ValueError as exc:
            raise QueryAnchorNotFoundError() from exc
    else:
        start = window.position + len(ids) if window.position < 0 else window.position
    start = max(0, start)
    end = len(ids) if window.limit is None else start + window.limit
    return start, ids[start:end]


class EmailQueryService:
    def __init__(self, store: Store, ingest: EmailIngest) -> None:
        self._store = store
        self._ingest = ingest
        self._ranked = RankedQueries(store)
        self._results = QueryResults()

    @staticmethod
    def can_calculate_changes(query: EmailQuery) -> bool:
        """queryChanges is exact for plaintext, thread-free queries without collapseThreads.

        Thread conditions change with other emails of the thread, which the change log
        does not tie to this one; sealed ones would need every changed summary opened.
        """
        sql = plaintext(query.filter)
        return (
            sql is not None
            and not uses_threads(sql)
            and not query.collapse_threads
            and all(c.property not in SUMMARY_SORTS | _THREAD_SORTS for c in query.sort)
        )

    async def _with_index(
        self, unlocked: UnlockedAccount, query: EmailQuery
    ) -> tuple[EmailQuery, Texts]:
        """The query with its text conditions answered by the index (api.core.mail_search):
        their hit sets, and the filter narrowed to the hits every result needs."""
        search = self._ingest.search
        node = query.filter
        if await search.enabled(unlocked):
            node = through_index(node)
        wanted = text_conditions(node)
        if not wanted:
            return query, _NO_TEXTS
        texts = await search.matching(unlocked, wanted)
        required = required_texts(node)
        if required:
            bound = reduce(frozenset.intersection, (texts[c] for c in required))
            if len(bound) <= _NARROW_MAX:
                rest = node.conditions if isinstance(node, FilterOperator) else (node,)
                node = FilterOperator("AND", (EmailIn(bound), *rest))
        return replace(query, filter=node), texts

    async def query(
        self, unlocked: UnlockedAccount, query: EmailQuery, window: QueryWindow
    ) -> QueryResult:
        await self._ingest.catch_up(unlocked)
        page = await self._ranked.page(
            self._ingest.search, unlocked, query.filter, query.sort, query.collapse_threads,
            anchored=window.anchor is not None, position=window.position, limit=window.limit,
            calculate_total=window.calculate_total,
        )  # fmt: skip
        if page is not None:
            return QueryResult(page.ids, page.position, page.total, page.state)
        query, texts = await self._with_index(unlocked, query)
        account_id = unlocked.account_id
        sql = plaintext(query.filter)
        sealed_sort = any(c.property in SUMMARY_SORTS for c in query.sort)
        async with self._store.transaction() as tx:
            state = await tx.changes.state(account_id, EMAIL_TYPE)
            if sql is not None and not sealed_sort and not query.collapse_threads:
                return await self._sql_page(tx, unlocked, sql, query, window, state)
            scan = await self._scan(tx, unlocked, query, window, texts)
        ids = [hit[0].id for hit in scan.hits]
        if not scan.complete:
            start = window.position
            return QueryResult(ids=ids[start:], position=start, total=None, state=state)
        position, shown = _window(ids, window)
        total = len(ids) if window.calculate_total else None
        return QueryResult(ids=shown, position=position, total=total, state=state)

    async def _sql_page(
        self,
        tx: Transaction,
        unlocked: UnlockedAccount,
        sql: SqlFilter,
        query: EmailQuery,
        window: QueryWindow,
        state: int,
    ) -> QueryResult:
        account_id = unlocked.account_id
        sort = _sql_sort(query.sort)
        if window.anchor is not None or window.position >= DEEP_POSITION:
            key = (account_id, sql, tuple(sort), state)
            ids = self._results.get(key)
            if ids is None:
                ids = await tx.email_query.ids(account_id, sql, sort)
                self._results.put(key, ids)
            position, shown = _window(ids, window)
            total = len(ids) if window.calculate_total else None
            return QueryResult(ids=shown, position=position, total=total, state=state)
        total = None
        if window.calculate_total or window.position < 0:
            total = await tx.email_query.count(account_id, sql)
        position = window.position
        if position < 0:
            assert total is not None
            position = max(0, total + position)
        shown = await tx.email_query.ids(account_id, sql, sort, offset=position, limit=window.limit)
        return QueryResult(
            ids=shown,
            position=position,
            total=total if window.calculate_total else None,
            state=state,
        )

    async def _scan(
        self,
        tx: Transaction,
        unlocked: UnlockedAccount,
        query: EmailQuery,
        window: QueryWindow,
        texts: Texts,
    ) -> _Scan:
        account_id = unlocked.account_id
        exact = plaintext(query.filter)
        conditions = [] if exact is not None else sql_conditions(query.filter)
        sealed_sort = any(c.property in SUMMARY_SORTS for c in query.sort)
        need_summaries = needs_summary(query.filter) or sealed_sort
        key = unlocked.master_key.subkey(SUBKEY_SUMMARIES)
        # In SQL order the window is final once filled, unless something needs the rest.
        stop_at = None
        final = not sealed_sort and window.anchor is None and not window.calculate_total
        if final and window.limit is not None and window.position >= 0:
            stop_at = window.position + window.limit
        collapse_now = query.collapse_threads and not sealed_sort
        scan = _Scan()

        def visit(batch: list[Candidate]) -> bool:
            for candidate in batch:
                summary = None
                if need_summaries:
                    assert candidate.summary_sealed is not None
                    summary = open_summary(key, account_id, candidate.id, candidate.summary_sealed)
                if exact is None:
                    plain = dict(zip(conditions, candidate.conditions, strict=True))
                    if not evaluate(query.filter, plain, summary, candidate.id, texts):
                        continue
                if collapse_now and not first_of_thread(scan.threads, candidate):
                    continue
                scan.hits.append((candidate, summary))
                if stop_at is not None and len(scan.hits) >= stop_at:
                    scan.complete = False
                    return False
            return True

        sort = _sql_sort(query.sort)
        await tx.email_query.scan(
            account_id,
            exact if exact is not None else superset(query.filter),
            sort=[] if sealed_sort else sort,
            values=sort if sealed_sort else [],
            conditions=conditions,
            summaries=need_summaries,
            visit=visit,
        )
        if sealed_sort:
            sort_hits(scan.hits, query.sort)
            if query.collapse_threads:
                threads: set[str] = set()
                scan.hits = [h for h in scan.hits if first_of_thread(threads, h[0])]
        return scan

    async def changes(
        self,
        unlocked: UnlockedAccount,
        query: EmailQuery,
        since: int,
        *,
        max_changes: int | None,
        up_to_id: str | None,
        calculate_total: bool,
    ) -> QueryChanges:
        """RFC 8620 5.6 from the change log: every email changed since `since` is removed
        and, when in the new results, added back at its index."""
        sql = plaintext(query.filter)
        if sql is None or not self.can_calculate_changes(query):
            raise QueryChangesUnavailableError()
        await self._ingest.catch_up(unlocked)
        account_id = unlocked.account_id
        async with self._store.transaction() as tx:
            state = await tx.changes.state(account_id, EMAIL_TYPE)
            try:
                changed = await tx.changes.changes_since(
                    account_id, EMAIL_TYPE, since, _ALL_CHANGES
                )
            except StateTooOldError as exc:
                raise QueryChangesUnavailableError(str(exc)) from exc
            ids = await tx.email_query.ids(account_id, sql, _sql_sort(query.sort))
        index = {email_id: i for i, email_id in enumerate(ids)}
        removed = [*changed.updated, *changed.destroyed]
        added = sorted((index[e], e) for e in (*changed.created, *changed.updated) if e in index)
        immutable = is_immutable(sql) and all(c.property in _IMMUTABLE_SORTS for c in query.sort)
        if immutable and up_to_id is not None and up_to_id in index:
            # 5.6: past the client's last cached id, nothing it holds can have moved.
            added = [entry for entry in added if entry[0] <= index[up_to_id]]
        if max_changes is not None and len(removed) + len(added) > max_changes:
            raise TooManyQueryChangesError()
        total = len(ids) if calculate_total else None
        return QueryChanges(removed=removed, added=added, total=total, state=state)
