"""Email/listDeleted paging and Email/restore's refusals (urn:sealbox:retention).

listDeleted pages as a /query does (RFC 8620 5.5); a restore with nowhere to go is a
SetError in notRestored, not a notFound (RFC 8620 5.3, RFC 8621 4.1.1).
"""

from __future__ import annotations

import msgspec
import pytest
from support.jmap_client import USING, Client, make_client
from support.messages import message

from api.jmap.catalog import server_registry
from api.jmap.dispatcher import Dispatcher
from api.jmap.limits import MethodLimits
from api.jmap.registry import MethodContext
from api.services import Services


@pytest.fixture
async def client(services: Services) -> Client:
    return await make_client(services)


async def destroyed(client: Client, count: int) -> list[str]:
    ids = [
        (await client.import_email(message(f"Gone {n}", f"g{n}@example.net")))["id"]
        for n in range(count)
    ]
    assert (await client.one("Email/set", destroy=ids))["destroyed"] == ids
    return ids


async def test_list_deleted_pages_through_position_and_limit(client: Client) -> None:
    ids = await destroyed(client, 5)
    whole = await client.one("Email/listDeleted")
    assert whole["total"] == 5 and whole["position"] == 0 and "limit" not in whole
    order = [item["id"] for item in whole["list"]]
    assert sorted(order) == sorted(ids)

    pages = [await client.one("Email/listDeleted", position=p, limit=2) for p in (0, 2, 4)]
    assert [page["position"] for page in pages] == [0, 2, 4]
    assert all(page["total"] == 5 for page in pages)
    assert [item["id"] for page in pages for item in page["list"]] == order
    assert [len(page["list"]) for page in pages] == [2, 2, 1]

    # A negative position counts from the end; past the end is an empty window.
    tail = await client.one("Email/listDeleted", position=-2)
    assert tail["position"] == 3 and [i["id"] for i in tail["list"]] == order[3:]
    beyond = await client.one("Email/listDeleted", position=9, limit=2)
    assert beyond["list"] == [] and beyond["total"] == 5
    assert (await client.one("Email/listDeleted", limit=0))["list"] == []


async def test_list_deleted_refuses_bad_paging(client: Client) -> None:
    await destroyed(client, 2)
    assert len((await client.one("Email/listDeleted", position=1, limit=1))["list"]) == 1
    for bad in ({"limit": -1}, {"limit": "2"}, {"position": 1.5}, {"position": None}):
        error = await client.error("Email/listDeleted", **bad)
        assert error["type"] == "invalidArguments", bad


async def test_list_deleted_clamps_limit_to_the_server_maximum(
    client: Client, services: Services
) -> None:
    """Over HTTP the maximum is maxObjectsInGet; the clamped limit is in the answer."""
    await destroyed(client, 3)
    limits = MethodLimits(max_objects_in_get=2, max_objects_in_set=10)
    context = MethodContext(client.unlocked, services, {}, limits)
    dispatcher = Dispatcher(server_registry())
    for asked in ({"limit": 50}, {}):
        [(name, body, _)] = await dispatcher.run(
            [("Email/listDeleted", {"accountId": client.account_id, **asked}, "0")],
            USING,
            context,
        )
        answer = msgspec.to_builtins(body)
        assert name == "Email/listDeleted", answer
        assert answer["limit"] == 2 and len(answer["list"]) == 2 and answer["total"] == 3


async def test_restore_with_no_mailbox_left_and_no_inbox_is_refused(
    client: Client, services: Services
) -> None:
    made = await client.one("Mailbox/set", create={"p": {"name": "Projects"}})
    project = made["created"]["p"]["id"]
    created = await client.import_email(message(), mailboxIds={project: True})
    await client.one("Email/set", destroy=[created["id"]])
    await client.one("Mailbox/set", destroy=[project])
    # JMAP never lets the Inbox go; an account that lost it otherwise (an older import).
    inbox = await client.mailbox("inbox")
    async with services.store.transaction() as tx:
        await tx.mailboxes.remove(client.account_id, inbox)

    answer = await client.one("Email/restore", ids=[created["id"]])
    assert answer["restored"] == {} and answer["notFound"] == []
    refused = answer["notRestored"][created["id"]]
    assert refused["type"] == "invalidProperties" and refused["properties"] == ["mailboxIds"]
    assert "no Inbox" in refused["description"]
    # It stays deleted, to be restored once there is somewhere to put it.
    listed = (await client.one("Email/listDeleted"))["list"]
    assert [item["id"] for item in listed] == [created["id"]]
