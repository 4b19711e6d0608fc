"""Property: /changes brings a client from ANY old state to the current one (RFC 8620 5.2)."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.records import placeholder_account

from api.services import Services
from api.store.changes import CREATED, DESTROYED, UPDATED
from api.store.ids import AccountId, DomainId
from api.store.unit_of_work import Store

TYPE = "Thing"
MAX_BATCH = 6
SHARED_FIXTURE = [HealthCheck.function_scoped_fixture]
_accounts = itertools.count()

# Each batch is a list of (operation, pick): pick chooses among the objects that exist.
operations = st.lists(
    st.lists(
        st.tuples(st.sampled_from([CREATED, UPDATED, DESTROYED]), st.integers(0, 1000)),
        min_size=1,
        max_size=MAX_BATCH,
    ),
    min_size=1,
    max_size=12,
)


async def _fresh_account(store: Store) -> AccountId:
    number = next(_accounts)
    account_id = AccountId(f"aprop{number}")
    async with store.transaction() as tx:
        if await tx.accounts.get_domain("example.org") is None:
            await tx.accounts.add_domain(DomainId("dprop"), "example.org", 1)
        await tx.accounts.add_account(
            placeholder_account(account_id, f"p{number}@example.org", "dprop")
        )
    return account_id


async def _apply(
    store: Store, account_id: AccountId, batches: list[list[tuple[str, int]]]
) -> dict[int, set[str]]:
    """Run the batches; return {state: set of live ids at that state}."""
    live: set[str] = set()
    snapshots = {0: set[str]()}
    serial = itertools.count()
    for batch in batches:
        changes: list[tuple[str, str]] = []
        for kind, pick in batch:
            if kind == CREATED or not live:
                object_id = f"t{next(serial)}"
                live.add(object_id)
                changes.append((object_id, CREATED))
                continue
            object_id = sorted(live)[pick % len(live)]
            if kind == DESTROYED:
                live.discard(object_id)
            changes.append((object_id, kind))
        async with store.transaction() as tx:
            modseq = await tx.changes.next_modseq(account_id)
            await tx.changes.record(account_id, modseq, TYPE, changes)
            state = await tx.changes.state(account_id, TYPE)
        snapshots[state] = set(live)
    return snapshots


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=operations, page=st.integers(MAX_BATCH, 3 * MAX_BATCH))
async def test_changes_from_any_state_reach_the_current_one(
    services: Services, batches: list[list[tuple[str, int]]], page: int
) -> None:
    store = services.store
    account_id = await _fresh_account(store)
    snapshots = await _apply(store, account_id, batches)
    current_state = max(snapshots)
    for state, seen in snapshots.items():
        view, cursor = set(seen), state
        while True:
            async with store.transaction() as tx:
                step = await tx.changes.changes_since(account_id, TYPE, cursor, page)
            assert len(step.created) + len(step.updated) + len(step.destroyed) <= page
            assert not set(step.created) & view, "created twice"
            assert set(step.updated) <= view | set(step.created)
            view = (view | set(step.created)) - set(step.destroyed)
            assert step.new_modseq >= cursor
            cursor = step.new_modseq
            if not step.has_more:
                break
        assert cursor == current_state
        assert view == snapshots[current_state]
