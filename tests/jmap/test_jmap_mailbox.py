"""Mailbox/get, /set, /changes, /query (RFC 8621 2) through the in-process caller, on both
database backends."""

from __future__ import annotations

from typing import Any

import pytest
from support.jmap_client import Client, make_client

from api.services import Services


@pytest.fixture
async def client(services: Services) -> Client:
    return await make_client(services)


async def test_get_lists_the_default_mailboxes_with_all_properties(client: Client) -> None:
    got = await client.one("Mailbox/get", ids=None)
    roles = {m["role"]: m for m in got["list"]}
    assert set(roles) == {"inbox", "drafts", "sent", "archive", "junk", "trash"}
    inbox = roles["inbox"]
    assert inbox["name"] == "Inbox" and inbox["parentId"] is None
    assert inbox["totalEmails"] == 0 and inbox["myRights"]["mayDelete"] is True
    assert "uidValidity" not in inbox  # vendor properties only when asked for
    assert got["notFound"] == [] and got["state"].isdigit()

    some = await client.one(
        "Mailbox/get", ids=[inbox["id"], "mnope"], properties=["name", "uidValidity", "uidNext"]
    )
    assert some["list"] == [
        {"id": inbox["id"], "name": "Inbox", "uidValidity": inbox_uid(some), "uidNext": 1}
    ]
    assert some["notFound"] == ["mnope"]
    refused = await client.error("Mailbox/get", properties=["name", "colour"])
    assert refused["type"] == "invalidArguments"


def inbox_uid(response: dict[str, Any]) -> int:
    value = response["list"][0]["uidValidity"]
    assert isinstance(value, int) and value > 0
    return value


async def test_set_creates_updates_destroys_and_changes_report_it(client: Client) -> None:
    before = (await client.one("Mailbox/get", ids=[]))["state"]
    created = await client.one(
        "Mailbox/set",
        ifInState=before,
        create={
            "work": {"name": "Work"},
            "project": {"name": "Project", "parentId": "#work", "sortOrder": 3},
            "dup": {"name": "work"},
            "server-set": {"name": "X", "totalEmails": 5},
            "bad-type": {"name": "Y", "sortOrder": "first"},
            "nameless": {"role": "flagged"},
        },
    )
    work_id = created["created"]["work"]["id"]
    project_id = created["created"]["project"]["id"]
    assert created["created"]["work"]["sortOrder"] == 0  # defaulted, so returned
    assert "sortOrder" not in created["created"]["project"]  # given, so not echoed
    not_created = created["notCreated"]
    assert not_created["dup"]["type"] == "invalidProperties"
    assert not_created["server-set"]["properties"] == ["totalEmails"]
    assert not_created["bad-type"]["properties"] == ["sortOrder"]
    assert not_created["nameless"]["properties"] == ["name"]
    assert created["oldState"] == before and created["newState"] != before

    stale = await client.error("Mailbox/set", ifInState=before, destroy=[work_id])
    assert stale["type"] == "stateMismatch"

    changed = await client.one(
        "Mailbox/set",
        update={
            project_id: {"name": "Projects"},
            "mnope": {"name": "Z"},
            work_id: {"myRights/mayDelete": False},
        },
        destroy=[work_id],
    )
    assert changed["updated"] == {project_id: None}
    assert changed["notUpdated"]["mnope"]["type"] == "notFound"
    assert changed["notUpdated"][work_id]["type"] == "invalidPatch"
    assert changed["notDestroyed"][work_id]["type"] == "mailboxHasChild"

    since = await client.one("Mailbox/changes", sinceState=before)
    assert sorted(since["created"]) == sorted([work_id, project_id])
    assert since["newState"] == changed["newState"] and since["hasMoreChanges"] is False
    later = await client.one("Mailbox/changes", sinceState=created["newState"])
    assert (later["created"], later["updated"], later["destroyed"]) == ([], [project_id], [])
    assert (await client.error("Mailbox/changes", sinceState="x1"))["type"] == (
        "cannotCalculateChanges"
    )

    gone = await client.one("Mailbox/set", destroy=[project_id, work_id])
    assert gone["destroyed"] == [project_id, work_id]
    inbox = (await client.one("Mailbox/query", filter={"role": "inbox"}))["ids"][0]
    refused = await client.one("Mailbox/set", destroy=[inbox])
    assert refused["notDestroyed"][inbox]["type"] == "forbidden"


async def test_query_filters_sorts_pages_and_feeds_get(client: Client) -> None:
    await client.one(
        "Mailbox/set",
        create={
            "a": {"name": "Alpha", "sortOrder": 20},
            "b": {"name": "beta", "parentId": "#a", "sortOrder": 1},
        },
    )
    by_name = await client.one("Mailbox/query", sort=[{"property": "name"}], calculateTotal=True)
    names = await client.one("Mailbox/get", ids=by_name["ids"], properties=["name"])
    assert [m["name"] for m in names["list"]] == [
        "Alpha",
        "Archive",
        "beta",
        "Drafts",
        "Inbox",
        "Junk",
        "Sent",
        "Trash",
    ]
    assert by_name["total"] == 8 and by_name["canCalculateChanges"] is False

    roleless = await client.one("Mailbox/query", filter={"hasAnyRole": False})
    assert len(roleless["ids"]) == 2
    either = await client.one(
        "Mailbox/query",
        filter={"operator": "OR", "conditions": [{"name": "ALP"}, {"role": "trash"}]},
    )
    assert len(either["ids"]) == 2
    tree = await client.one(
        "Mailbox/query", sort=[{"property": "sortOrder"}], sortAsTree=True, filter=None
    )
    ids = tree["ids"]
    alpha, beta = by_name["ids"][0], by_name["ids"][2]
    assert ids.index(beta) == ids.index(alpha) + 1  # child right after its parent

    window = await client.one(
        "Mailbox/query", sort=[{"property": "name"}], anchor=alpha, anchorOffset=1, limit=2
    )
    assert window["ids"] == by_name["ids"][1:3] and window["position"] == 1
    last = await client.one("Mailbox/query", sort=[{"property": "name"}], position=-1)
    assert last["ids"] == by_name["ids"][-1:]

    for arguments, error in [
        ({"filter": {"colour": "red"}}, "unsupportedFilter"),
        ({"sort": [{"property": "totalEmails"}]}, "unsupportedSort"),
        ({"anchor": "mnope"}, "anchorNotFound"),
        ({"limit": -1}, "invalidArguments"),
    ]:
        assert (await client.error("Mailbox/query", **arguments))["type"] == error

    chained = await client.batch(
        ("Mailbox/query", {"filter": {"role": "inbox"}}),
        ("Mailbox/get", {"#ids": {"resultOf": "c0", "name": "Mailbox/query", "path": "/ids"}}),
    )
    assert chained[1][1]["list"][0]["role"] == "inbox"
    query_changes = await client.error("Mailbox/queryChanges", sinceQueryState="1")
    assert query_changes["type"] == "cannotCalculateChanges"
