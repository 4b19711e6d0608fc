"""Concurrent /set calls with the same ifInState (RFC 8620 5.3): exactly one applies, the
other gets stateMismatch and leaves nothing behind, for Email/set and Mailbox/set, on both
database backends."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from support.jmap_client import Client, make_client
from support.messages import message

from api.services import Services

ROUNDS = 4


@pytest.fixture
async def client(services: Services) -> Client:
    return await make_client(services)


async def race(
    first: Client, second: Client, name: str, one: dict[str, Any], other: dict[str, Any]
) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """Run both calls at once; returns (index of the winner, its result, the loser's error)."""
    results = await asyncio.gather(first.batch((name, one)), second.batch((name, other)))
    outcomes = [(response_name, dict(body)) for [(response_name, body, _)] in results]
    winners = [i for i, (response_name, _) in enumerate(outcomes) if response_name == name]
    assert len(winners) == 1, outcomes
    [winner] = winners
    loser_name, loser = outcomes[1 - winner]
    assert (loser_name, loser["type"]) == ("error", "stateMismatch"), outcomes
    return winner, outcomes[winner][1], loser


async def keywords(client: Client, ids: list[str]) -> list[dict[str, bool]]:
    got = await client.one("Email/get", ids=ids, properties=["keywords"])
    by_id = {shown["id"]: shown["keywords"] for shown in got["list"]}
    return [by_id[i] for i in ids]


async def test_concurrent_email_updates_with_one_state(client: Client, services: Services) -> None:
    # A second caller for the same account, as another connection of the same user would be.
    other = Client(services, client.unlocked)
    ids = [(await client.import_email(message(subject=f"race {n}")))["id"] for n in range(2)]
    for round_ in range(ROUNDS):
        state = (await client.one("Email/get", ids=[]))["state"]
        marks = [f"first{round_}", f"second{round_}"]
        patches = [{i: {f"keywords/{mark}": True} for i in ids} for mark in marks]
        winner, result, _ = await race(
            client,
            other,
            "Email/set",
            {"ifInState": state, "update": patches[0]},
            {"ifInState": state, "update": patches[1]},
        )
        assert result["oldState"] == state and result["updated"] == dict.fromkeys(ids)
        # Every email carries the winner's keyword and none of the loser's.
        for shown in await keywords(client, ids):
            assert marks[winner] in shown and marks[1 - winner] not in shown, shown
        changes = await client.one("Email/changes", sinceState=state)
        assert changes["newState"] == result["newState"]
        assert sorted(changes["updated"]) == sorted(ids)


async def test_concurrent_email_creates_with_one_state(client: Client, services: Services) -> None:
    other = Client(services, client.unlocked)
    drafts = await client.mailbox("drafts")
    for round_ in range(ROUNDS):
        state = (await client.one("Email/get", ids=[]))["state"]
        subjects = [f"first draft {round_}", f"second draft {round_}"]
        creates = [
            {"d": {"mailboxIds": {drafts: True}, "subject": subject, "keywords": {"$draft": True}}}
            for subject in subjects
        ]
        winner, result, _ = await race(
            client,
            other,
            "Email/set",
            {"ifInState": state, "create": creates[0]},
            {"ifInState": state, "create": creates[1]},
        )
        assert result["oldState"] == state and list(result["created"]) == ["d"]
        query = await client.one("Email/query", filter={"inMailbox": drafts})
        got = await client.one("Email/get", ids=query["ids"], properties=["subject"])
        shown = {email["subject"] for email in got["list"]}
        assert subjects[winner] in shown and subjects[1 - winner] not in shown, shown


async def test_concurrent_mailbox_sets_with_one_state(client: Client, services: Services) -> None:
    other = Client(services, client.unlocked)
    for round_ in range(ROUNDS):
        state = (await client.one("Mailbox/get", ids=[]))["state"]
        names = [[f"first {round_} {n}" for n in "ab"], [f"second {round_} {n}" for n in "ab"]]
        winner, result, _ = await race(
            client,
            other,
            "Mailbox/set",
            {"ifInState": state, "create": {n: {"name": n} for n in names[0]}},
            {"ifInState": state, "create": {n: {"name": n} for n in names[1]}},
        )
        assert result["oldState"] == state and sorted(result["created"]) == names[winner]
        listed = {m["name"] for m in (await client.one("Mailbox/get", ids=None))["list"]}
        assert set(names[winner]) <= listed and not set(names[1 - winner]) & listed, listed
        changes = await client.one("Mailbox/changes", sinceState=state)
        assert changes["newState"] == result["newState"] and len(changes["created"]) == 2


async def test_concurrent_email_imports_with_one_state(client: Client, services: Services) -> None:
    other = Client(services, client.unlocked)
    inbox = await client.mailbox("inbox")
    state = (await client.one("Email/get", ids=[]))["state"]
    blobs = [await client.upload(message(subject=f"import {n}")) for n in range(2)]
    _, result, _ = await race(
        client,
        other,
        "Email/import",
        {"ifInState": state, "emails": {"i": {"blobId": blobs[0], "mailboxIds": {inbox: True}}}},
        {"ifInState": state, "emails": {"i": {"blobId": blobs[1], "mailboxIds": {inbox: True}}}},
    )
    assert result["oldState"] == state and list(result["created"]) == ["i"]
    assert len((await client.one("Email/query", filter={"inMailbox": inbox}))["ids"]) == 1
