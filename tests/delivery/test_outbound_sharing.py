"""One stored copy per submitted message: the queue entries of its remote recipients share
one blob, which goes with the last of them (delivered, bounced or expired), never sooner."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from support.jmap_client import Client, make_client
from support.outbound import FakeClock, queue_sender

from api.core.outbound_queue import OutboundEnvelope, queue_keypair
from api.delivery.retry import FIRST_RETRY, GIVE_UP_AFTER
from api.services import Services
from api.store.records import OutboundRecord
from tests.delivery.test_outbound_queue import blob_files, bounces, outgoing, queue_size, send

TRIO = ["ann@elsewhere.example", "bob@elsewhere.example", "cat@elsewhere.example"]
ENVELOPE = {
    "mailFrom": {"email": "alice@example.org"},
    "rcptTo": [{"email": address} for address in TRIO],
}


async def queued(node: Services, client: Client) -> list[OutboundRecord]:
    async with node.store.transaction() as tx:
        return await tx.submissions.queued(client.unlocked.account_id)


async def statuses(client: Client, submission_id: str) -> dict[str, str]:
    got = await client.one("EmailSubmission/get", ids=[submission_id])
    return {k: v["delivered"] for k, v in got["list"][0]["deliveryStatus"].items()}


async def readable(node: Services, entry: OutboundRecord) -> bytes:
    """The queued message as the sender reads it: through the domain's queue key."""
    async with node.store.transaction() as tx:
        keypair = await queue_keypair(tx, entry.sender_domain)
    opened = await node.blobs.open_with_key(entry.account_id, entry.blob_id, keypair.private_key)
    return await opened.read()


async def blob_rows(node: Services, client: Client, blob_id: str) -> int:
    async with node.store.transaction() as tx:
        return len(await tx.blobs.get_many(client.unlocked.account_id, [blob_id]))


async def test_three_remote_recipients_share_one_stored_copy(
    node: Services, sink: Any, clock: FakeClock
) -> None:
    alice = await make_client(node, "alice@example.org")
    files_before = len(blob_files(node))
    submission = await send(alice, outgoing(", ".join(TRIO)), envelope=ENVELOPE)

    entries = await queued(node, alice)
    assert len(entries) == 3 and len({e.blob_id for e in entries}) == 1
    assert sorted(e.position for e in entries) == [0, 1, 2]
    # The draft's own blob is new too; the queue adds exactly one more.
    assert len(blob_files(node)) == files_before + 2
    assert await blob_rows(node, alice, entries[0].blob_id) == 1

    assert (await queue_sender(node, clock).run_once()).delivered == 3
    assert sorted(r for m in sink.received for r in m.rcpt_to) == TRIO
    assert set((await statuses(alice, submission)).values()) == {"yes"}
    assert await queue_size(node) == 0
    assert await blob_rows(node, alice, entries[0].blob_id) == 0
    assert len(blob_files(node)) == files_before + 1


@pytest.mark.parametrize("sink_options", [{"rcpt": {TRIO[2]: "451 4.7.1 greylisted"}}])
async def test_the_copy_outlives_the_first_deliveries(
    node: Services, sink: Any, clock: FakeClock
) -> None:
    alice = await make_client(node, "alice@example.org")
    submission = await send(alice, outgoing(", ".join(TRIO)), envelope=ENVELOPE)
    sender = queue_sender(node, clock)

    counts = await sender.run_once()
    assert (counts.delivered, counts.deferred) == (2, 1)
    [left] = await queued(node, alice)
    assert b"Hike at nine?" in await readable(node, left)
    clock.at += FIRST_RETRY
    assert (await sender.run_once()).delivered == 1
    assert [m.rcpt_to for m in sink.received] == [TRIO[:2], TRIO[2:]]
    assert set((await statuses(alice, submission)).values()) == {"yes"}
    assert await queue_size(node) == 0 and await blob_rows(node, alice, left.blob_id) == 0
    assert all(left.blob_id not in p.name for p in blob_files(node))


@pytest.mark.parametrize("sink_options", [{"rcpt": {TRIO[0]: "550 5.1.1 no such user here"}}])
async def test_a_bounce_of_one_leaves_the_copy_for_the_others(
    node: Services, sink: Any, clock: FakeClock
) -> None:
    alice = await make_client(node, "alice@example.org")
    await send(alice, outgoing(", ".join(TRIO)), envelope=ENVELOPE)
    [blob_id] = {e.blob_id for e in await queued(node, alice)}

    counts = await queue_sender(node, clock).run_once()

    assert (counts.delivered, counts.bounced) == (2, 1)
    [got] = sink.received
    assert got.rcpt_to == TRIO[1:] and b"Hike at nine?" in got.content
    [bounce] = await bounces(alice)
    assert TRIO[0].encode() in bounce and b"550 5.1.1" in bounce
    assert await blob_rows(node, alice, blob_id) == 0
    assert all(blob_id not in p.name for p in blob_files(node))


@pytest.mark.parametrize("sink_options", [{"always": "421 4.3.2 shutting down"}])
async def test_expiring_entries_free_the_copy_with_the_last(
    node: Services, sink: Any, clock: FakeClock
) -> None:
    alice = await make_client(node, "alice@example.org")
    await send(alice, outgoing(", ".join(TRIO)), envelope=ENVELOPE)
    [blob_id] = {e.blob_id for e in await queued(node, alice)}
    sender = queue_sender(node, clock)
    assert (await sender.run_once()).deferred == 3
    clock.at += GIVE_UP_AFTER
    assert (await sender.run_once()).bounced == 3
    assert await queue_size(node) == 0 and await blob_rows(node, alice, blob_id) == 0


async def test_finishing_the_last_two_entries_at_once_deletes_the_copy_once(
    node: Services, clock: FakeClock
) -> None:
    """Two nodes finishing the last two entries of one blob together (PostgreSQL: two
    connections at once): exactly one of them deletes the blob row, never neither."""
    alice = await make_client(node, "alice@example.org")
    for round_ in range(5):
        envelopes = [OutboundEnvelope(mail_from="alice@example.org", rcpt_to=r) for r in TRIO]
        entries = await node.outbound.enqueue_many(
            alice.unlocked.account_id, "example.org", outgoing(), envelopes[:2]
        )

        async def finish(entry: OutboundRecord) -> bool:
            async with node.store.transaction() as tx:
                return await tx.outbound.finish(entry)

        lasts = await asyncio.gather(*(finish(entry) for entry in entries))
        assert sorted(lasts) == [False, True], round_
        assert await blob_rows(node, alice, entries[0].blob_id) == 0
    assert await queue_size(node) == 0
