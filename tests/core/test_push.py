"""The state broker: commits wake subscribers of that account only, coalesced, and close."""

from __future__ import annotations

import asyncio

from support.services import PASSWORD, create_account, unlock

from api.core.push import StateBroker
from api.core.unlocked import UnlockedAccount
from api.services import Services
from api.store.ids import AccountId


async def test_changes_coalesce_per_subscriber_and_stay_per_account() -> None:
    broker = StateBroker()
    alice, bob = AccountId("aalice"), AccountId("abob")
    with (
        broker.subscribe(alice) as first,
        broker.subscribe(alice) as second,
        broker.subscribe(bob) as other,
    ):
        broker.publish({alice: frozenset({"Mailbox"})})
        broker.publish({alice: frozenset({"Email"}), bob: frozenset({"Thread"})})
        assert await first.wait() == {"Mailbox", "Email"}
        assert await second.wait() == {"Mailbox", "Email"}
        assert await other.wait() == {"Thread"}
        waiting = asyncio.ensure_future(first.wait())
        await asyncio.sleep(0.01)
        assert not waiting.done()  # nothing new: the subscriber sleeps
        broker.close()
        assert await waiting == set() and first.closed and other.closed
    # Leaving the block unsubscribes; publishing to nobody is harmless.
    broker.publish({alice: frozenset({"Mailbox"})})


async def test_a_committed_mailbox_change_reaches_the_broker(services: Services) -> None:
    created = await create_account(services)
    master_key = await unlock(services, created.account.id, PASSWORD)
    assert master_key is not None
    unlocked = UnlockedAccount(created.account.id, created.account.address, master_key)
    with services.state_broker.subscribe(created.account.id) as subscription:
        async with services.mailboxes.batch(unlocked) as batch:
            await batch.create("Pushed")
            # Not before the commit: a woken client must be able to read the new state.
            assert not subscription._wake.is_set()
        assert await asyncio.wait_for(subscription.wait(), 5) == {"Mailbox"}
