"""The search writer lease row (api.store.search_leases): one holder at a time, also
when several nodes ask at once; taken over only once it runs out; sealing only while held."""

from __future__ import annotations

import asyncio

from support.services import ServicesFactory, create_account

from api.store.ids import AccountId
from api.store.unit_of_work import Store

NOW = 1_000_000


async def _acquire(store: Store, account_id: AccountId, holder: str, now: int) -> bool:
    async with store.transaction() as tx:
        return await tx.search_leases.acquire(account_id, holder, now, now + 1000)


async def _seal(store: Store, account_id: AccountId, holder: str, now: int) -> bool:
    async with store.transaction() as tx:
        return await tx.search_leases.seal(account_id, holder, now + 1000)


async def test_one_holder_until_the_lease_runs_out(make_services: ServicesFactory) -> None:
    services = await make_services()
    store = services.store
    account_id = (await create_account(services, "alice@example.org")).account.id
    assert await _acquire(store, account_id, "node-a", NOW)
    assert not await _acquire(store, account_id, "node-b", NOW + 999)
    assert await _acquire(store, account_id, "node-a", NOW + 500)  # renewed to +1500
    assert not await _acquire(store, account_id, "node-b", NOW + 1400)
    async with store.transaction() as tx:
        before = await tx.search_leases.get(account_id)
    assert await _seal(store, account_id, "node-a", NOW + 1400)  # renewed to +2400
    assert not await _seal(store, account_id, "node-b", NOW + 1400)
    async with store.transaction() as tx:
        after = await tx.search_leases.get(account_id)
    assert before is not None and after is not None
    assert after.holder == "node-a" and after.generation != before.generation

    # Run out (a crashed holder): another node takes it, and the old one can't seal.
    assert not await _acquire(store, account_id, "node-b", NOW + 2399)
    assert await _acquire(store, account_id, "node-b", NOW + 2400)
    assert not await _seal(store, account_id, "node-a", NOW + 2500)
    assert not await _acquire(store, account_id, "node-a", NOW + 2500)

    # Released: free at once, generation kept.
    async with store.transaction() as tx:
        await tx.search_leases.release(account_id, "node-a")  # not the holder: no effect
        assert not await tx.search_leases.acquire(account_id, "node-a", NOW + 2500, NOW + 3500)
        await tx.search_leases.release(account_id, "node-b")
        released = await tx.search_leases.get(account_id)
    assert released is not None and released.generation == after.generation
    assert await _acquire(store, account_id, "node-a", NOW + 2500)

    # Seized (the index deleted on node-b): node-a's seals fail at once.
    async with store.transaction() as tx:
        await tx.search_leases.seize(account_id, "node-b", NOW + 3500)
        seized = await tx.search_leases.get(account_id)
    assert seized is not None and seized.holder == "node-b"
    assert seized.generation != released.generation
    assert not await _seal(store, account_id, "node-a", NOW + 2600)


async def test_nodes_asking_at_once_get_one_holder(make_services: ServicesFactory) -> None:
    nodes = [await make_services() for _ in range(4)]
    account_id = (await create_account(nodes[0], "alice@example.org")).account.id
    for attempt in range(3):
        now = NOW + attempt * 10_000  # every earlier lease has run out
        # Each node asks twice: its second ask may renew what its first one took.
        asks = [(f"node-{number}", node) for number, node in enumerate(nodes)] * 2
        got = await asyncio.gather(
            *(_acquire(node.store, account_id, holder, now) for holder, node in asks)
        )
        winners = {holder for (holder, _), won in zip(asks, got, strict=True) if won}
        assert len(winners) == 1
