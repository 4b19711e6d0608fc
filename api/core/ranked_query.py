"""Email/query answered by the full-text index alone (RFC 8621 4.4, RFC 8620 5.5).

A filter made only of text conditions (after api.core.email_filter.through_index), sorted
by receivedAt alone, without collapseThreads or an anchor, is answered from tantivy: its
top-K on the `received` fast field gives the page in SQL's order (ties by id) and its
count the total, instead of every hit's id going to SQL to be sorted and paged.

Exactness: the index holds every threaded email, destroyed-but-recoverable ones
included, and learns of emails dropped for good through the removal queue
(api.store.search_models). Destroyed and queued ones are left out by id (`hidden`, read
once per Email state). After ranking, one transaction checks that the state has not
moved, every queued id was hidden and the page's emails are live; a moved state or a
newly queued id ranks once more with a fresh hidden set, and a page naming
an email the rows lack (dropped by a path the queue does not see) goes to the general
path. Queued ids are applied to the index (and sealed) as soon as a query sees them.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from api.core.email_filter import EmailComparator, EmailFilter, text_tree, through_index
from api.core.ingest import EMAIL_TYPE
from api.core.mail_search import MailSearch
from api.core.unlocked import UnlockedAccount
from api.store.ids import AccountId
from api.store.unit_of_work import Store, Transaction

__all__ = ["RankedPage", "RankedQueries"]

# Deeper pages than this go to the general path: the index would rank them all anyway.
_MAX_DEPTH = 10_000
# Accounts whose hidden ids are kept; the least recently searched go first.
_HIDDEN_ACCOUNTS = 1_000


@dataclass(frozen=True, slots=True)
class RankedPage:
    ids: list[str]
    position: int
    total: int | None
    state: int


class RankedQueries:
    def __init__(self, store: Store) -> None:
        self._store = store
        # Per account: an Email state and the ids hidden at it (destroyed or queued).
        self._hidden: OrderedDict[AccountId, tuple[int, frozenset[str]]] = OrderedDict()

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
        count = position + limit
        cached = self._hidden.get(account_id)
        if cached is None:
            async with self._store.transaction() as tx:
                cached = await self._read_hidden(tx, account_id)
        # Ranked with the hidden set of the last state seen, then checked in one
        # transaction: the state is unchanged and every queued id was hidden (else rank
        # again with both read afresh).
        for _ in range(2):
            ranked = await search.ranked(
                unlocked, tree, ascending=sort[0].ascending, count=count, hidden=cached[1]
            )
            shown = ranked.ids[position:]
            async with self._store.transaction() as tx:
                state = await tx.changes.state(account_id, EMAIL_TYPE)
                queued = await tx.search_files.removals(account_id)
                exact = state == cached[0] and cached[1].issuperset(queued)
                if exact:
                    visible = await tx.emails.visible(account_id, shown) if shown else set()
                else:
                    cached = await self._read_hidden(tx, account_id, state, queued)
            if queued:  # purged mail: out of the index and its sealed copy now
                await search.apply_removals(unlocked)
            if exact:
                break
        else:
            return None
        if len(visible) != len(shown):
            return None
        total = ranked.total if calculate_total else None
        return RankedPage(ids=shown, position=position, total=total, state=state)

    async def _read_hidden(
        self,
        tx: Transaction,
        account_id: AccountId,
        state: int | None = None,
        queued: list[str] | None = None,
    ) -> tuple[int, frozenset[str]]:
        """(state, destroyed ids and ids queued for removal), cached: an id the index
        has dropped since is harmless in the set."""
        if state is None:
            state = await tx.changes.state(account_id, EMAIL_TYPE)
        if queued is None:
            queued = await tx.search_files.removals(account_id)
        hidden = (state, frozenset([*await tx.emails.destroyed_ids(account_id), *queued]))
        self._hidden[account_id] = hidden
        self._hidden.move_to_end(account_id)
        while len(self._hidden) > _HIDDEN_ACCOUNTS:
            self._hidden.popitem(last=False)
        return hidden
