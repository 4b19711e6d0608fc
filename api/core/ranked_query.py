"""Email/query answered by the full-text index alone (RFC 8621 4.4, RFC 8620 5.5).

A filter made only of text conditions (after api.core.email_filter.through_index), sorted
by receivedAt alone, without collapseThreads or an anchor, is answered from tantivy: its
top-K on the `received` fast field gives the page in SQL's order (ties by id) and its
count the total, instead of every hit's id going to SQL to be sorted and paged.

Exactness: the index holds every threaded email, destroyed-but-recoverable ones
included, and learns of emails dropped for good through the removal queue
(api.store.search_removals). Destroyed ones are left out by id (`hidden`, read once per
Email state); the page's ids are then checked against the rows, and a page naming an
email the rows lack (dropped by a path the queue does not see) goes to the general path.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.core.email_filter import EmailComparator, EmailFilter, text_tree, through_index
from api.core.ingest import EMAIL_TYPE
from api.core.mail_search import MailSearch
from api.core.unlocked import UnlockedAccount
from api.store.ids import AccountId
from api.store.unit_of_work import Store

__all__ = ["RankedPage", "RankedQueries"]

# Deeper pages than this go to the general path: the index would rank them all anyway.
_MAX_DEPTH = 10_000


@dataclass(frozen=True, slots=True)
class RankedPage:
    ids: list[str]
    position: int
    total: int | None
    state: int


class RankedQueries:
    def __init__(self, store: Store) -> None:
        self._store = store
        # Per account: the Email state and the destroyed ids at that state.
        self._hidden: dict[AccountId, tuple[int, frozenset[str]]] = {}

    async def page(
        self,
        search: MailSearch,
        unlocked: UnlockedAccount,
        node: EmailFilter,
        sort: tuple[EmailComparator, ...],
        collapse: bool,
        *,
        anchored: bool,
        position: int,
        limit: int | None,
        calculate_total: bool,
    ) -> RankedPage | None:
        """The window from the index, or None when the general path must answer."""
        if collapse or anchored or limit is None or not 0 <= position <= _MAX_DEPTH - limit:
            return None
        if len(sort) != 1 or sort[0].property != "receivedAt":
            return None
        if not await search.enabled(unlocked):
            return None
        tree = text_tree(through_index(node))
        if tree is None:
            return None
        account_id = unlocked.account_id
        async with self._store.transaction() as tx:
            state = await tx.changes.state(account_id, EMAIL_TYPE)
            cached = self._hidden.get(account_id)
            if cached is None or cached[0] != state:
                cached = (state, frozenset(await tx.emails.destroyed_ids(account_id)))
                self._hidden[account_id] = cached
        ranked = await search.ranked(
            unlocked, tree, ascending=sort[0].ascending, count=position + limit, hidden=cached[1]
        )
        shown = ranked.ids[position:]
        if shown:
            async with self._store.transaction() as tx:
                visible = await tx.emails.visible(account_id, shown)
            if len(visible) != len(shown):
                return None
        total = ranked.total if calculate_total else None
        return RankedPage(ids=shown, position=position, total=total, state=state)
