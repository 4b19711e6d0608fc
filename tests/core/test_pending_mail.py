"""PendingMail: catch_up skips its query only for accounts seen clean since their last delivery."""

from __future__ import annotations

import asyncio

import pytest
from support.jmap_client import Client, make_client
from support.services import ServicesFactory

from api.core.ingest import IncomingEmail
from api.core.pending_mail import MAX_AGE, PendingMail
from api.services import Services
from api.store.ids import AccountId

A, B = AccountId("aalice"), AccountId("abob")
RAW = (
    b"From: a@example.net\r\nTo: b@example.org\r\nSubject: Hello\r\n"
    b"Message-ID: <m1@x>\r\n\r\nhi\r\n"
)


class _Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_account_starts_unknown_and_a_clean_check_marks_it() -> None:
    pending = PendingMail()
    assert pending.may_have_pending(A)
    pending.found_none(A, pending.generation(A))
    assert not pending.may_have_pending(A)
    assert pending.may_have_pending(B)


def test_a_delivery_clears_the_mark_of_its_account_only() -> None:
    pending = PendingMail()
    for account in (A, B):
        pending.found_none(account, pending.generation(account))
    pending.delivered([A])
    assert pending.may_have_pending(A)
    assert not pending.may_have_pending(B)


def test_a_delivery_heard_during_the_check_keeps_the_account_unknown() -> None:
    pending = PendingMail()
    generation = pending.generation(A)
    pending.delivered([A])  # committed after the check's snapshot, heard before it ends
    pending.found_none(A, generation)
    assert pending.may_have_pending(A)


def test_marks_are_not_believed_while_deliveries_may_go_unheard() -> None:
    heard = [True]
    pending = PendingMail(lambda: heard[0])
    pending.found_none(A, pending.generation(A))
    heard[0] = False
    assert pending.may_have_pending(A)


def test_marks_expire() -> None:
    clock = _Clock()
    pending = PendingMail(clock=clock)
    pending.found_none(A, pending.generation(A))
    clock.now += MAX_AGE - 1
    assert not pending.may_have_pending(A)
    clock.now += 2
    assert pending.may_have_pending(A)


async def _deliver(services: Services, client: Client) -> str:
    inbox = await client.mailbox("inbox")
    incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=1_800_000_000)
    return (await services.emails.ingest.deliver(client.unlocked.account_id, RAW, incoming)).id


async def test_delivery_sets_the_flag_and_catch_up_clears_it(services: Services) -> None:
    await services.start()  # on PostgreSQL the relay is how deliveries are heard
    client = await make_client(services)
    account = client.unlocked.account_id
    ingest = services.emails.ingest
    await client.one("Email/get", ids=[])
    assert not ingest.pending.may_have_pending(account)
    email_id = await _deliver(services, client)
    for _ in range(50):  # PostgreSQL: the notification arrives just after the commit
        if ingest.pending.may_have_pending(account):
            break
        await asyncio.sleep(0.05)
    assert ingest.pending.may_have_pending(account)
    got = await client.one("Email/query", filter={"inMailbox": await client.mailbox("inbox")})
    assert email_id in got["ids"]
    assert not ingest.pending.may_have_pending(account)


async def test_a_pending_email_that_slips_past_the_flag_is_settled_by_get(
    services: Services,
) -> None:
    client = await make_client(services)
    account = client.unlocked.account_id
    ingest = services.emails.ingest
    email_id = await _deliver(services, client)
    # As if the delivery's notification were still on its way from another node.
    ingest.pending.found_none(account, ingest.pending.generation(account))
    got = await client.one("Email/get", ids=[email_id], properties=["threadId", "subject"])
    [email] = got["list"]
    assert email["threadId"] and email["subject"] == "Hello"
    [record] = await services.emails.records(client.unlocked, [email_id])
    assert not record.pending


async def test_another_nodes_delivery_reaches_this_node_through_the_relay(
    database_url: str, make_services: ServicesFactory
) -> None:
    if not database_url:
        pytest.skip("SQLite serves one node; the relay is PostgreSQL's LISTEN/NOTIFY")
    reader, writer = await make_services(), await make_services()
    for node in (reader, writer):
        await node.start()
    client = await make_client(reader)
    account = client.unlocked.account_id
    await client.one("Email/get", ids=[])
    assert not reader.emails.ingest.pending.may_have_pending(account)
    inbox = await client.mailbox("inbox")
    incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=1_800_000_000)
    delivered = await writer.emails.ingest.deliver(account, RAW, incoming)
    for _ in range(100):
        if reader.emails.ingest.pending.may_have_pending(account):
            break
        await asyncio.sleep(0.05)
    assert reader.emails.ingest.pending.may_have_pending(account)
    got = await client.one("Email/query", filter={"inMailbox": inbox})
    assert delivered.id in got["ids"]


async def test_without_the_relay_postgresql_marks_are_never_trusted(
    database_url: str, services: Services
) -> None:
    if not database_url:
        pytest.skip("on SQLite this process hears every delivery")
    client = await make_client(services)  # services.start() not called: no LISTEN
    await client.one("Email/get", ids=[])
    assert services.emails.ingest.pending.may_have_pending(client.unlocked.account_id)
