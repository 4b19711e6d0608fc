"""Push across nodes: a commit on one node wakes subscribers on another (PostgreSQL only)."""

from __future__ import annotations

import asyncio

import pytest
from support.services import PASSWORD, ServicesFactory, create_account, unlock

from api.core.unlocked import UnlockedAccount


async def test_a_commit_on_one_node_reaches_every_node_once(
    database_url: str, make_services: ServicesFactory
) -> None:
    if not database_url:
        pytest.skip("SQLite serves one node; the relay is PostgreSQL's LISTEN/NOTIFY")
    writer, reader = await make_services(), await make_services()
    for node in (writer, reader):
        await node.start()
    created = await create_account(writer)
    master_key = await unlock(writer, created.account.id, PASSWORD)
    assert master_key is not None
    unlocked = UnlockedAccount(created.account.id, created.account.address, master_key)
    with (
        reader.state_broker.subscribe(created.account.id) as elsewhere,
        writer.state_broker.subscribe(created.account.id) as here,
    ):
        async with writer.mailboxes.batch(unlocked) as batch:
            await batch.create("Seen from the other node")
        assert await asyncio.wait_for(elsewhere.wait(), 5) == {"Mailbox"}
        assert await asyncio.wait_for(here.wait(), 5) == {"Mailbox"}
        # Heard through the relay only, not also directly: no duplicate wake-up.
        await asyncio.sleep(0.3)
        assert not here._wake.is_set()
