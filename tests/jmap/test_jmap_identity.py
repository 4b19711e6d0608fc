"""Identity/get, /set, /changes (RFC 8621 6) through the in-process caller, on both
database backends."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from support.jmap_client import Client, make_client

from api.services import Services
from api.store.identity_models import IdentityRow
from api.store.models import AliasRow

ALIAS = "ally@example.org"


@pytest.fixture
async def client(services: Services) -> Client:
    client = await make_client(services, display_name="Alice Liddell")
    async with services.store.database.session() as session:
        session.add(AliasRow(address=ALIAS, account_id=client.account_id))
    return client


async def _rows(services: Services) -> list[IdentityRow]:
    async with services.store.database.session() as session:
        return list(await session.scalars(select(IdentityRow)))


async def test_get_makes_the_default_identity_once(client: Client) -> None:
    first = await client.one("Identity/get", ids=None)
    [default] = first["list"]
    assert default == {
        "id": default["id"],
        "name": "Alice Liddell",
        "email": "alice@example.org",
        "replyTo": None,
        "bcc": None,
        "textSignature": "",
        "htmlSignature": "",
        "mayDelete": False,
    }
    assert default["id"].startswith("i") and first["notFound"] == []
    again = await client.one("Identity/get", ids=[default["id"], "inope"], properties=["email"])
    assert again["list"] == [{"id": default["id"], "email": "alice@example.org"}]
    assert again["notFound"] == ["inope"]
    assert again["state"] == first["state"]  # made once, not on every get
    refused = await client.error("Identity/get", properties=["email", "colour"])
    assert refused["type"] == "invalidArguments"


async def test_set_without_a_get_first_still_makes_the_default(client: Client) -> None:
    made = await client.one("Identity/set", create={"a": {"email": ALIAS}})
    assert set(made["created"]) == {"a"}
    listed = (await client.one("Identity/get"))["list"]
    assert sorted((i["email"], i["mayDelete"]) for i in listed) == [
        ("alice@example.org", False),
        (ALIAS, True),
    ]


async def test_create_checks_the_address_and_every_property(client: Client) -> None:
    before = (await client.one("Identity/get", ids=[]))["state"]
    result = await client.one(
        "Identity/set",
        ifInState=before,
        create={
            "alias": {"email": ALIAS.upper(), "name": "Ally", "replyTo": [{"email": ALIAS}]},
            "stranger": {"email": "mallory@example.net"},
            "nobody": {"name": "No address"},
            "bad-email": {"email": "not an address"},
            "server-set": {"email": ALIAS, "mayDelete": False},
            "bad-type": {"email": ALIAS, "textSignature": 7},
            "bad-bcc": {"email": ALIAS, "bcc": [{"email": "nope"}]},
            "bad-list": {"email": ALIAS, "replyTo": [{"email": ALIAS, "extra": 1}]},
            "path": {"email": ALIAS, "replyTo/0": {"email": ALIAS}},
        },
    )
    created = result["created"]["alias"]
    # RFC 8620 5.3: only what the server chose or defaulted comes back.
    assert created == {
        "id": created["id"],
        "mayDelete": True,
        "bcc": None,
        "textSignature": "",
        "htmlSignature": "",
    }
    errors: dict[str, Any] = result["notCreated"]
    assert errors["stranger"]["type"] == "forbidden"
    assert (errors["nobody"]["type"], errors["nobody"]["properties"]) == (
        "invalidProperties",
        ["email"],
    )
    assert errors["bad-email"]["properties"] == ["email"]
    assert errors["server-set"]["properties"] == ["mayDelete"]
    assert errors["bad-type"]["properties"] == ["textSignature"]
    assert errors["bad-bcc"]["properties"] == ["bcc"]
    assert errors["bad-list"]["properties"] == ["replyTo"]
    assert errors["path"]["type"] == "invalidPatch"
    assert result["oldState"] == before and result["newState"] != before

    got = await client.one("Identity/get", ids=[created["id"]])
    assert got["list"][0]["email"] == ALIAS  # stored normalised
    assert got["list"][0]["replyTo"] == [{"name": None, "email": ALIAS}]


async def test_update_destroy_changes_and_if_in_state(client: Client) -> None:
    [default] = (await client.one("Identity/get"))["list"]
    made = await client.one("Identity/set", create={"a": {"email": ALIAS}})
    alias_id = made["created"]["a"]["id"]
    stale = await client.error("Identity/set", ifInState="0", destroy=[alias_id])
    assert stale["type"] == "stateMismatch"

    changed = await client.one(
        "Identity/set",
        update={
            alias_id: {"name": "Ally", "htmlSignature": "<b>A</b>", "email": ALIAS},
            default["id"]: {"email": ALIAS},
            "inope": {"name": "x"},
        },
        destroy=[default["id"]],
    )
    assert changed["updated"] == {alias_id: None}
    assert changed["notUpdated"][default["id"]]["properties"] == ["email"]
    assert changed["notUpdated"]["inope"]["type"] == "notFound"
    assert changed["notDestroyed"][default["id"]]["type"] == "forbidden"
    shown = (await client.one("Identity/get", ids=[alias_id]))["list"][0]
    assert (shown["name"], shown["htmlSignature"]) == ("Ally", "<b>A</b>")

    since = await client.one("Identity/changes", sinceState=made["newState"])
    assert (since["created"], since["updated"], since["destroyed"]) == ([], [alias_id], [])
    gone = await client.one("Identity/set", destroy=[alias_id, "inope"])
    assert gone["destroyed"] == [alias_id]
    assert gone["notDestroyed"]["inope"]["type"] == "notFound"
    overall = await client.one("Identity/changes", sinceState="0")
    # Created and destroyed since state 0: the net effect is nothing for the alias.
    assert overall["created"] == [default["id"]] and overall["destroyed"] == []
    assert overall["newState"] == gone["newState"]
    bad = await client.error("Identity/changes", sinceState="x")
    assert bad["type"] == "cannotCalculateChanges"


async def test_creation_ids_resolve_within_one_request(client: Client) -> None:
    responses = await client.batch(
        ("Identity/set", {"create": {"n": {"email": ALIAS}}}),
        ("Identity/set", {"update": {"#n": {"name": "Later"}}, "destroy": ["#missing"]}),
    )
    second = responses[1][1]
    assert second["updated"] == {"#n": None}
    assert second["notDestroyed"]["#missing"]["type"] == "notFound"


async def test_the_details_are_sealed_and_the_address_is_not(
    services: Services, client: Client
) -> None:
    secret = "Signature-7f3a2b"
    await client.one(
        "Identity/set",
        create={"a": {"email": ALIAS, "name": secret, "textSignature": secret}},
    )
    rows = await _rows(services)
    assert sorted(row.email for row in rows) == ["alice@example.org", ALIAS]
    assert all(secret.encode() not in row.details_sealed for row in rows)
    assert all(b"Alice Liddell" not in row.details_sealed for row in rows)
