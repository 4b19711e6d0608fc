"""Two nodes (two services over one database and blob directory) serving one account:
only the lease holder seals, the other still finds every email of the mailbox, a holder
that stops renewing is taken over once its lease runs out, and the sealed snapshot stays
whole however the nodes take turns (api.search.writer_lease, api.search.service)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from support.email_corpus import raw_message
from support.jmap_client import Client, make_client
from support.services import ServicesFactory

from api.core.mail_search import TextCondition
from api.core.unlocked import UnlockedAccount
from api.search.account_index import AccountIndex
from api.search.sealed_files import open_file
from api.services import Services
from crypto.master_key import SUBKEY_SEARCH

# Short enough for a test to wait out, long enough not to run out between two calls.
LEASE = 2.0


def _on(services: Services, client: Client) -> Client:
    """The same account, unlocked on another node."""
    unlocked = UnlockedAccount(
        client.account_id, client.unlocked.address, client.unlocked.master_key
    )
    return Client(services, unlocked)


async def _sealed(client: Client) -> dict[str, bytes]:
    async with client.services.store.transaction() as tx:
        return await tx.search_files.all(client.account_id)


async def _sealed_ids(client: Client, word: str = "") -> set[str]:
    """Email ids the sealed snapshot holds (or, with `word`, those it finds for it), read
    back by tantivy itself from the rows, as a restart would."""
    key = client.unlocked.master_key.subkey(SUBKEY_SEARCH)
    files = {
        name: open_file(key, client.account_id, name, sealed)
        for name, sealed in (await _sealed(client)).items()
    }
    ram_dir = Path(client.services.settings.search_ram_dir)
    index = AccountIndex.restore(ram_dir, "", files)
    try:
        if not word:
            return set(index.ids)
        ids, _ = index.ranked(TextCondition("text", word), False, 100, frozenset())
        return set(ids)
    finally:
        index.close()


async def _found(client: Client, word: str) -> set[str]:
    got = await client.one("Email/query", filter={"text": word}, limit=100)
    return set(got["ids"])


async def _holder(client: Client) -> str | None:
    async with client.services.store.transaction() as tx:
        view = await tx.search_leases.get(client.account_id)
    return None if view is None or view.expires_at == 0 else view.holder


async def _import(client: Client, word: str) -> str:
    created = await client.import_email(raw_message(word, f"{word}@x", body=f"a {word} b"))
    return str(created["id"])


async def _writer(make_services: ServicesFactory, lease: float) -> tuple[Client, str]:
    """Node A with one email indexed and sealed: it holds the lease."""
    a = await make_client(await make_services(search_lease_seconds=lease))
    first = await _import(a, "aardvark")
    assert await _found(a, "aardvark") == {first}
    return a, first


async def test_only_the_holder_seals_and_the_other_node_finds_everything(
    make_services: ServicesFactory,
) -> None:
    a, first = await _writer(make_services, LEASE * 30)

    b = _on(await make_services(search_lease_seconds=LEASE * 30), a)
    assert await _found(b, "aardvark") == {first}  # restored from A's snapshot
    before = await _sealed(a)
    second = await _import(b, "bison")
    assert await _found(b, "bison") == {second}
    await asyncio.sleep(0.7)  # past the delayed commit of an import
    assert await _sealed(a) == before  # B never wrote a row

    # A learns of B's email from the change log, indexes and seals it.
    assert await _found(a, "bison") == {second}
    assert await _sealed_ids(a, "bison") == {second}
    third = await _import(a, "cheetah")
    # Not sealed yet (A commits half a second after an import): B still finds it.
    assert await _found(b, "cheetah") == {third}
    await asyncio.sleep(0.7)
    assert await _sealed_ids(a) == {first, second, third}
    assert await _holder(a) == a.services.search.lease.node


async def test_a_holder_that_stops_renewing_is_taken_over(
    make_services: ServicesFactory,
) -> None:
    a, first = await _writer(make_services, LEASE)
    b = _on(await make_services(search_lease_seconds=LEASE), a)
    second = await _import(b, "bison")
    assert await _found(b, "bison") == {second}
    assert await _sealed_ids(a) == {first}  # B is a reader while A's lease runs

    # A stops (a crash: it neither seals nor releases); its lease runs out.
    await asyncio.sleep(LEASE + 0.2)
    assert await _found(b, "bison") == {second}
    assert await _holder(b) == b.services.search.lease.node
    assert await _sealed_ids(b) == {first, second}

    # A comes back with its old index open: its import must not reach the snapshot
    # through it, and it still answers for every email.
    third = await _import(a, "cheetah")
    await asyncio.sleep(0.7)
    assert await _sealed_ids(a) == {first, second}
    assert await _found(a, "bison") == {second}
    assert await _found(a, "cheetah") == {third}
    assert await _found(b, "cheetah") == {third}
    assert await _sealed_ids(b) == {first, second, third}


async def test_the_snapshot_stays_whole_when_nodes_take_turns(
    make_services: ServicesFactory,
) -> None:
    a = await make_client(await make_services(search_lease_seconds=LEASE))
    b = _on(await make_services(search_lease_seconds=LEASE), a)
    ids: dict[str, str] = {}
    holders: set[str | None] = set()
    words = ["alpaca", "beaver", "coyote", "dingo", "eland", "ferret"]
    for turn, word in enumerate(words):
        node, other = (a, b) if turn % 2 == 0 else (b, a)
        ids[word] = await _import(node, word)
        # The other node first: it must see the email without being told of it.
        for reader in (other, node):
            assert await _found(reader, word) == {ids[word]}
        holders.add(await _holder(a))
        if turn % 3 == 2:
            await node.services.search.close()  # seal and release, as at shutdown
        else:
            await asyncio.sleep(LEASE + 0.2)  # the holder goes quiet; the other takes over
    await a.services.search.close()
    await b.services.search.close()
    assert holders >= {a.services.search.lease.node, b.services.search.lease.node}
    assert await _sealed_ids(a) == set(ids.values())
    for word, email_id in ids.items():
        assert await _sealed_ids(a, word) == {email_id}

    # A third node restores the snapshot and finds everything without indexing again.
    c = _on(await make_services(search_lease_seconds=LEASE), a)
    indexed: list[int] = []
    original = c.services.search._feeder.index_records

    async def counting(*args: object) -> None:
        indexed.append(len(args[2]))  # type: ignore[arg-type]
        await original(*args)  # type: ignore[arg-type]

    c.services.search._feeder.index_records = counting  # type: ignore[method-assign]
    for word, email_id in ids.items():
        assert await _found(c, word) == {email_id}
    assert sum(indexed) == 0


async def test_a_reindex_on_the_other_node_fences_the_writer(
    make_services: ServicesFactory,
) -> None:
    a, first = await _writer(make_services, LEASE * 30)
    b = _on(await make_services(search_lease_seconds=LEASE * 30), a)
    assert await b.services.search.reindex(b.unlocked) == 1
    assert await _holder(a) == b.services.search.lease.node
    # A still thinks it writes: its import's delayed seal must not land.
    second = await _import(a, "bison")
    await asyncio.sleep(0.7)
    assert await _sealed_ids(a) == {first}
    assert await _found(a, "bison") == {second}  # A reloads as a reader
    assert await _found(b, "bison") == {second}
    await a.services.search.close()
    await b.services.search.close()
    assert await _sealed_ids(a) == {first, second}
