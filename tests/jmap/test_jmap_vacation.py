"""VacationResponse/get and /set (RFC 8621 8) through the in-process caller, on both
database backends, and what the singleton leaves in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support.jmap_client import Client, make_client

from api.services import Services
from api.store.identity_models import VacationReplyRow, VacationResponseRow
from api.store.ids import AccountId

SUBJECT = "Away-subject-51c9"
TEXT = "Away-text-9d01"


@pytest.fixture
async def client(services: Services) -> Client:
    return await make_client(services)


async def _row(services: Services, account_id: str) -> VacationResponseRow | None:
    async with services.store.database.session() as session:
        return await session.get(VacationResponseRow, account_id)


async def test_get_shows_the_disabled_default(client: Client) -> None:
    got = await client.one("VacationResponse/get", ids=None)
    assert got["list"] == [
        {
            "id": "singleton",
            "isEnabled": False,
            "fromDate": None,
            "toDate": None,
            "subject": None,
            "textBody": None,
            "htmlBody": None,
        }
    ]
    assert got["notFound"] == [] and got["state"] == "0"
    some = await client.one("VacationResponse/get", ids=["other", "singleton"], properties=[])
    assert some["list"] == [{"id": "singleton"}] and some["notFound"] == ["other"]
    refused = await client.error("VacationResponse/get", properties=["isEnabled", "reason"])
    assert refused["type"] == "invalidArguments"


async def test_set_updates_the_singleton_and_refuses_the_rest(client: Client) -> None:
    result = await client.one(
        "VacationResponse/set",
        ifInState="0",
        create={"new": {"isEnabled": True}},
        update={
            "singleton": {
                "isEnabled": True,
                "fromDate": "2030-01-01T00:00:00Z",
                "toDate": "2030-01-15T12:30:00Z",
                "subject": SUBJECT,
                "textBody": TEXT,
            },
            "other": {"isEnabled": False},
        },
        destroy=["singleton"],
    )
    assert result["updated"] == {"singleton": None}
    assert result["notCreated"]["new"]["type"] == "singleton"
    assert result["notDestroyed"]["singleton"]["type"] == "singleton"
    assert result["notUpdated"]["other"]["type"] == "notFound"
    assert result["oldState"] == "0" and result["newState"] != "0"

    [shown] = (await client.one("VacationResponse/get"))["list"]
    assert shown == {
        "id": "singleton",
        "isEnabled": True,
        "fromDate": "2030-01-01T00:00:00Z",
        "toDate": "2030-01-15T12:30:00Z",
        "subject": SUBJECT,
        "textBody": TEXT,
        "htmlBody": None,
    }
    stale = await client.error(
        "VacationResponse/set", ifInState="0", update={"singleton": {"isEnabled": False}}
    )
    assert stale["type"] == "stateMismatch"


@pytest.mark.parametrize(
    ("patch", "error", "properties"),
    [
        ({"fromDate": "2030-01-01"}, "invalidProperties", ["fromDate"]),
        ({"toDate": "2030-01-01T00:00:00.5Z"}, "invalidProperties", ["toDate"]),
        ({"toDate": "2030-01-01T00:00:00+01:00"}, "invalidProperties", ["toDate"]),
        ({"isEnabled": "yes"}, "invalidProperties", ["isEnabled"]),
        ({"isEnabled": None}, "invalidProperties", ["isEnabled"]),
        ({"subject": 5}, "invalidProperties", ["subject"]),
        ({"id": "singleton"}, "invalidProperties", ["id"]),
        (
            {"fromDate": "2030-02-01T00:00:00Z", "toDate": "2030-01-01T00:00:00Z"},
            "invalidProperties",
            ["toDate"],
        ),
        ({"htmlBody": "x" * (256 * 1024 + 1)}, "invalidProperties", ["htmlBody"]),
        ({"textBody/x": "y"}, "invalidPatch", ["textBody/x"]),
    ],
)
async def test_set_refuses_bad_values(
    client: Client, patch: dict[str, object], error: str, properties: list[str]
) -> None:
    result = await client.one("VacationResponse/set", update={"singleton": patch})
    refused = result["notUpdated"]["singleton"]
    assert refused["type"] == error
    assert refused["properties"] == properties
    assert result["newState"] == result["oldState"]  # nothing changed


async def test_only_an_enabled_vacation_keeps_a_delivery_copy(
    services: Services, client: Client
) -> None:
    await client.one(
        "VacationResponse/set",
        update={"singleton": {"isEnabled": True, "subject": SUBJECT, "textBody": TEXT}},
    )
    enabled = await _row(services, client.account_id)
    assert enabled is not None and enabled.is_enabled
    assert enabled.delivery_sealed is not None
    for blob in (enabled.content_sealed, enabled.delivery_sealed):
        assert SUBJECT.encode() not in blob and TEXT.encode() not in blob
    async with services.store.database.session() as session:
        session.add(
            VacationReplyRow(account_id=client.account_id, sender_key=b"k" * 32, replied_at=1)
        )

    await client.one("VacationResponse/set", update={"singleton": {"isEnabled": False}})
    disabled = await _row(services, client.account_id)
    assert disabled is not None and not disabled.is_enabled
    assert disabled.delivery_sealed is None
    async with services.store.database.session() as session:
        replies = list(await session.scalars(select(VacationReplyRow)))
    assert replies == []  # the reply log goes with the delivery copy
    # The user's own copy stays, for the next time it is enabled.
    [shown] = (await client.one("VacationResponse/get"))["list"]
    assert (shown["subject"], shown["textBody"], shown["isEnabled"]) == (SUBJECT, TEXT, False)
    assert await services.vacation.state(AccountId(client.account_id)) > 0
