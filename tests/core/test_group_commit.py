"""Group commit: deliveries arriving together share one transaction; one's failure is its own."""

from __future__ import annotations

import asyncio
import functools

import pytest
from support.jmap_client import Client, make_client

from api.core.errors import OverQuotaError
from api.core.group_commit import GroupCommit
from api.core.ingest import IncomingEmail
from api.services import Services
from api.store.records import EmailRecord
from api.store.unit_of_work import Transaction

RAW = b"From: a@example.net\r\nTo: alice@example.org\r\nSubject: Hi\r\n\r\n" + b"x" * 200 + b"\r\n"


async def _deliver_many(services: Services, client: Client, count: int) -> list[object]:
    inbox = await client.mailbox("inbox")
    incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=1_800_000_000)
    account_id = client.unlocked.account_id
    return await asyncio.gather(
        *(services.emails.ingest.deliver(account_id, RAW, incoming) for _ in range(count)),
        return_exceptions=True,
    )


async def _inbox_uids(client: Client) -> list[int]:
    inbox = await client.mailbox("inbox")
    ids = (await client.one("Email/query", filter={"inMailbox": inbox}))["ids"]
    async with client.services.store.transaction() as tx:
        emails = await tx.emails.get_many(client.unlocked.account_id, ids)
    return sorted(uid for email in emails for uid in email.mailboxes.values())


async def test_deliveries_together_get_their_own_uids(services: Services) -> None:
    alice = await make_client(services, "alice@example.org")
    delivered = [r for r in await _deliver_many(services, alice, 12) if isinstance(r, EmailRecord)]
    assert len(delivered) == 12
    uids = await _inbox_uids(alice)
    assert uids == list(range(uids[0], uids[0] + 12))
    got = await alice.one("Email/get", ids=[r.id for r in delivered], properties=["subject"])
    assert [email["subject"] for email in got["list"]] == ["Hi"] * 12


async def test_a_group_over_quota_keeps_what_fits(services: Services) -> None:
    alice = await make_client(services, "alice@example.org")
    await services.accounts.set_quota(alice.unlocked.account_id, len(RAW) * 3 + 10)
    outcomes = await _deliver_many(services, alice, 5)
    assert sum(isinstance(o, EmailRecord) for o in outcomes) == 3
    assert sum(isinstance(o, OverQuotaError) for o in outcomes) == 2
    assert (await services.quota.mail(alice.unlocked.account_id)).used == len(RAW) * 3
    # The refused messages' blobs are gone, files and rows.
    stored = {o.blob_id for o in outcomes if isinstance(o, EmailRecord)}
    files = {p.name for p in (services.settings.data_path / "blobs").glob("*/*/b*")}
    assert files == stored


async def test_one_failing_item_fails_alone(services: Services) -> None:
    async def write(tx: Transaction, items: list[int]) -> list[int]:
        await tx.changes.state(alice.unlocked.account_id, "Email")
        if 3 in items:
            raise ValueError("three is refused")
        return [item * 10 for item in items]

    alice = await make_client(services, "alice@example.org")
    undone: list[int] = []

    async def undo(item: int) -> None:
        undone.append(item)

    group: GroupCommit[int, int] = GroupCommit(services.store, write)
    outcomes = await asyncio.gather(
        *(group.run(i, functools.partial(undo, i)) for i in range(6)), return_exceptions=True
    )
    assert outcomes[:3] == [0, 10, 20] and outcomes[4:] == [40, 50]
    assert isinstance(outcomes[3], ValueError)
    assert undone == [3]


@pytest.mark.parametrize("cancel_after", [0, 1])
async def test_a_cancelled_caller_does_not_cancel_its_write(
    services: Services, cancel_after: int
) -> None:
    alice = await make_client(services, "alice@example.org")
    inbox = await alice.mailbox("inbox")
    incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=1_800_000_000)
    task = asyncio.create_task(
        services.emails.ingest.deliver(alice.unlocked.account_id, RAW, incoming)
    )
    for _ in range(cancel_after):
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.5)
    # Whatever the moment, blob rows and files agree: stored whole or not at all.
    files = {p.name for p in (services.settings.data_path / "blobs").glob("*/*/b*")}
    async with services.store.transaction() as tx:
        rows = {b.id for b in await tx.blobs.get_many(alice.unlocked.account_id, list(files))}
    assert rows == files
