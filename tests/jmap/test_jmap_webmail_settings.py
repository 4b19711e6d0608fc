"""WebmailSettings/get and /set (urn:sealbox:webmail) through the in-process caller: the
image senders list, its checks, ifInState, that it lives sealed in the settings
document, and that the search switch (the other writer of that document) keeps it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support.jmap_client import Client, make_client

from api.core.webmail_settings import MAX_IMAGE_SENDERS
from api.services import Services
from api.store.models import AccountRow

CANARY = "images-canary-7f3a@news.example"


@pytest.fixture
async def client(services: Services) -> Client:
    return await make_client(services)


async def _senders(client: Client) -> list[str]:
    [settings] = (await client.one("WebmailSettings/get", ids=None))["list"]
    return list(settings["imageSenders"])


async def _set(client: Client, value: object, **args: object) -> dict[str, object]:
    return await client.one(
        "WebmailSettings/set", update={"singleton": {"imageSenders": value}}, **args
    )


async def test_get_starts_empty_and_knows_only_the_singleton(client: Client) -> None:
    got = await client.one("WebmailSettings/get", ids=["singleton", "other"])
    assert got["list"] == [{"id": "singleton", "imageSenders": []}]
    assert got["notFound"] == ["other"]
    refused = await client.error("WebmailSettings/get", properties=["imageSenders", "theme"])
    assert refused["type"] == "invalidArguments"


async def test_set_normalises_and_replaces_the_list(client: Client) -> None:
    result = await _set(client, [" News@Shop.Example ", "news@shop.example", "a@b.example"])
    assert result["updated"] == {"singleton": None}
    assert result["oldState"] != result["newState"]
    assert await _senders(client) == ["news@shop.example", "a@b.example"]
    await _set(client, ["a@b.example"])  # revoking one is writing the list without it
    assert await _senders(client) == ["a@b.example"]


@pytest.mark.parametrize(
    "value",
    [
        "a@b.example",
        ["not an address"],
        ["two words@b.example"],
        ["<a@b.example>"],
        [7],
        [f"x{i}@b.example" for i in range(MAX_IMAGE_SENDERS + 1)],
    ],
)
async def test_bad_values_are_invalid_properties(client: Client, value: object) -> None:
    result = await _set(client, value)
    error = result["notUpdated"]["singleton"]  # type: ignore[index]
    assert error["type"] == "invalidProperties" and error["properties"] == ["imageSenders"]
    assert await _senders(client) == []


async def test_singleton_only_and_if_in_state(client: Client) -> None:
    state = (await client.one("WebmailSettings/get", ids=None))["state"]
    result = await client.one(
        "WebmailSettings/set",
        create={"x": {}},
        update={"other": {"imageSenders": []}},
        destroy=["singleton"],
    )
    assert result["notCreated"]["x"]["type"] == "singleton"
    assert result["notUpdated"]["other"]["type"] == "notFound"
    assert result["notDestroyed"]["singleton"]["type"] == "singleton"
    assert (await _set(client, ["a@b.example"], ifInState=state))["updated"]
    stale = await client.error(
        "WebmailSettings/set", ifInState=state, update={"singleton": {"imageSenders": []}}
    )
    assert stale["type"] == "stateMismatch"
    assert await _senders(client) == ["a@b.example"]


async def test_sealed_at_rest_and_kept_by_the_search_switch(
    client: Client, services: Services
) -> None:
    await _set(client, [CANARY])
    await client.one("SearchSettings/set", update={"singleton": {"enabled": False}})
    assert await _senders(client) == [CANARY]
    async with services.store.database.session() as session:
        blobs = (await session.execute(select(AccountRow.settings_blob))).scalars().all()
    assert blobs and all(CANARY.encode() not in blob for blob in blobs)
