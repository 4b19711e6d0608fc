"""The search index end to end through Email/query: text conditions, locked delivery then
unlock, search off then on, restore after a restart on the same data directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.email_corpus import raw_message
from support.jmap_client import Client, make_client
from support.services import ServicesFactory

from api.core.ingest import IncomingEmail
from api.core.unlocked import UnlockedAccount


async def _ids(client: Client, condition: dict[str, object]) -> list[str]:
    got = await client.one("Email/query", filter=condition)
    return list(got["ids"])


async def _deliver(client: Client, raw: bytes) -> str:
    inbox = await client.mailbox("inbox")
    incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=1_800_000_000)
    services = client.services
    return (await services.emails.ingest.deliver(client.account_id, raw, incoming)).id


def _ram_dirs() -> list[Path]:
    return list(Path("/dev/shm").glob("sealbox-search-*"))


async def test_text_body_subject_header_and_phrases(make_services: ServicesFactory) -> None:
    services = await make_services()
    client = await make_client(services)
    one = await client.import_email(
        raw_message("Quarterly invoice", "m1@x", body="Please pay the café bill today.\r\n")
    )
    two = await client.import_email(
        raw_message("Lunch", "m2@x", sender="Carol <carol@example.com>", body="bill pay later")
    )
    assert await _ids(client, {"text": "cafe"}) == [one["id"]]
    assert await _ids(client, {"body": "CAFÉ"}) == [one["id"]]
    assert set(await _ids(client, {"text": "bill"})) == {one["id"], two["id"]}
    assert await _ids(client, {"text": '"pay the"'}) == [one["id"]]
    assert await _ids(client, {"text": '"the pay"'}) == []
    assert await _ids(client, {"text": "invo"}) == [one["id"]]  # type-ahead prefix
    assert await _ids(client, {"from": "carol"}) == [two["id"]]
    assert await _ids(client, {"subject": "lunch"}) == [two["id"]]
    assert await _ids(client, {"header": ["Message-ID", "m2"]}) == [two["id"]]
    assert set(await _ids(client, {"header": ["subject"]})) == {one["id"], two["id"]}
    assert await _ids(client, {"operator": "NOT", "conditions": [{"text": "cafe"}]}) == [two["id"]]


async def test_locked_delivery_is_found_after_unlock(make_services: ServicesFactory) -> None:
    services = await make_services()
    client = await make_client(services)
    await client.import_email(raw_message("Old", "m1@x", body="nothing special"))
    await services.search.close()  # the account locks: its index is sealed, RAM freed
    assert not [p for p in _ram_dirs() if p.name.split("-")[2] == str(os.getpid())]
    email_id = await _deliver(client, raw_message("Parcel", "m2@x", body="zebracrossing"))
    assert await _ids(client, {"text": "zebracrossing"}) == [email_id]


async def test_search_off_deletes_the_index_and_on_rebuilds_it(
    make_services: ServicesFactory,
) -> None:
    services = await make_services()
    client = await make_client(services)
    email = await client.import_email(raw_message("Hello", "m1@x", body="walrus"))
    assert await _ids(client, {"text": "walrus"}) == [email["id"]]
    await services.search.set_enabled(client.unlocked, False)
    async with services.store.transaction() as tx:
        assert await tx.search_files.all(client.account_id) == {}
    error = await client.error("Email/query", filter={"text": "walrus"})
    assert error["type"] == "unsupportedFilter"
    # With search off, subject and addresses are still matched on the sealed summary.
    assert await _ids(client, {"subject": "ell"}) == [email["id"]]
    await services.search.set_enabled(client.unlocked, True)
    assert await _ids(client, {"text": "walrus"}) == [email["id"]]


async def test_restart_restores_the_sealed_index_without_reindexing(
    make_services: ServicesFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await make_services()
    client = await make_client(first)
    email = await client.import_email(raw_message("Hello", "m1@x", body="narwhal"))
    assert await _ids(client, {"text": "narwhal"}) == [email["id"]]
    await first.close()

    second = await make_services()
    unlocked = UnlockedAccount(
        client.account_id, client.unlocked.address, client.unlocked.master_key
    )
    indexed: list[int] = []
    original = second.search._feeder.index_records

    async def counting(*args: object) -> None:
        indexed.append(len(args[2]))  # type: ignore[arg-type]
        await original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(second.search._feeder, "index_records", counting)
    again = Client(second, unlocked)
    assert await _ids(again, {"text": "narwhal"}) == [email["id"]]
    assert indexed == []  # restored from the sealed files, nothing parsed again


async def test_search_settings_over_jmap(make_services: ServicesFactory) -> None:
    services = await make_services()
    client = await make_client(services)
    email = await client.import_email(raw_message("Hello", "m1@x", body="capybara"))
    got = await client.one("SearchSettings/get", ids=None)
    assert got["list"] == [{"id": "singleton", "enabled": True, "language": ""}]
    off = await client.one("SearchSettings/set", update={"singleton": {"enabled": False}})
    assert off["updated"] == {"singleton": None} and off["newState"] == "0"
    assert (await client.error("Email/query", filter={"text": "capybara"}))["type"] == (
        "unsupportedFilter"
    )
    bad = await client.one("SearchSettings/set", update={"singleton": {"language": "elvish"}})
    assert bad["notUpdated"]["singleton"]["type"] == "invalidProperties"
    on = {"singleton": {"enabled": True, "language": "english"}}
    assert (await client.one("SearchSettings/set", update=on))["newState"] == "1"
    assert await _ids(client, {"text": "capybaras"}) == [email["id"]]  # stemmed


async def test_destroyed_mail_is_not_found(make_services: ServicesFactory) -> None:
    services = await make_services()
    client = await make_client(services)
    keep = await client.import_email(raw_message("Keep", "m1@x", body="axolotl"))
    gone = await client.import_email(raw_message("Gone", "m2@x", body="axolotl"))
    destroyed = await client.one("Email/set", destroy=[gone["id"]])
    assert destroyed["destroyed"] == [gone["id"]]
    assert await _ids(client, {"text": "axolotl"}) == [keep["id"]]
