"""The 30-day purge reaches the sealed index: purged mail's words stop matching in the
live index and in the sealed snapshot, whether the index was open or locked at purge
time (the removal queue, api.store.search_models, carries the ids to the next use)."""

from __future__ import annotations

from pathlib import Path

from support.email_corpus import raw_message
from support.jmap_client import Client, make_client
from support.services import ServicesFactory

from api.core.clock import DAY, now
from api.core.mail_search import TextCondition
from api.search.account_index import AccountIndex
from api.search.sealed_files import open_file
from crypto.master_key import SUBKEY_SEARCH

WORD = "zanzibarite"


async def _sealed_matches(client: Client, word: str) -> int:
    """Documents matching `word` in the sealed snapshot, counted by tantivy itself."""
    services, account_id = client.services, client.account_id
    key = client.unlocked.master_key.subkey(SUBKEY_SEARCH)
    async with services.store.transaction() as tx:
        sealed = await tx.search_files.all(account_id)
    files = {name: open_file(key, account_id, name, s) for name, s in sealed.items()}
    language = (await services.search.settings(client.unlocked)).search_language
    index = AccountIndex.restore(Path(services.settings.search_ram_dir), language, files)
    try:
        return index.ranked(TextCondition("text", word), False, 10, frozenset())[1]
    finally:
        index.close()


async def _queued(client: Client) -> list[str]:
    async with client.services.store.transaction() as tx:
        return await tx.search_files.removals(client.account_id)


async def _found(client: Client, word: str) -> tuple[list[str], int]:
    got = await client.one("Email/query", filter={"text": word}, limit=50, calculateTotal=True)
    return list(got["ids"]), int(got["total"])


async def _doomed(client: Client) -> str:
    gone = await client.import_email(raw_message("Rare", "m1@x", body=f"a {WORD} sample"))
    kept = await client.import_email(raw_message("Kept", "m2@x", body="ordinary words"))
    assert await _found(client, WORD) == ([gone["id"]], 1)
    await client.one("Email/set", destroy=[gone["id"]])
    # Destroyed, recoverable: still in the index, never in a result.
    assert await _found(client, WORD) == ([], 0)
    assert await _found(client, "ordinary") == ([kept["id"]], 1)
    assert await _sealed_matches(client, WORD) == 1
    return str(gone["id"])


async def test_purge_with_the_index_open(make_services: ServicesFactory) -> None:
    services = await make_services()
    client = await make_client(services)
    gone = await _doomed(client)
    assert await services.retention.purge(at=now() + 31 * DAY) == 1
    assert await _queued(client) == [gone]
    assert await _found(client, WORD) == ([], 0)  # the query applies the queue
    assert await _queued(client) == []
    assert await _sealed_matches(client, WORD) == 0
    await services.search.close()  # locked, then opened again from the sealed rows
    assert await _found(client, WORD) == ([], 0)
    assert await _sealed_matches(client, WORD) == 0
    assert await _found(client, "ordinary") == ([await _kept(client)], 1)


async def _kept(client: Client) -> str:
    got = await client.one("Email/query", filter={"text": "ordinary"})
    return str(got["ids"][0])


async def test_purge_while_locked_is_applied_at_the_next_use(
    make_services: ServicesFactory,
) -> None:
    services = await make_services()
    client = await make_client(services)
    gone = await _doomed(client)
    await services.search.close()
    assert await services.retention.purge(at=now() + 31 * DAY) == 1
    assert await _queued(client) == [gone]  # only the id is queued: nothing to decrypt
    assert await _sealed_matches(client, WORD) == 1  # until the account's next use
    assert await _found(client, WORD) == ([], 0)
    assert await _queued(client) == []
    assert await _sealed_matches(client, WORD) == 0


async def test_no_queue_for_accounts_without_an_index(make_services: ServicesFactory) -> None:
    services = await make_services()
    client = await make_client(services)
    await services.search.set_enabled(client.unlocked, False)
    gone = await client.import_email(raw_message("Rare", "m1@x", body=WORD))
    await client.one("Email/set", destroy=[gone["id"]])
    assert await services.retention.purge(at=now() + 31 * DAY) == 1
    assert await _queued(client) == []
