"""EmailSubmission (RFC 8621 7) under races: two retries of one send resume its record
once, and a status the queue made final is never taken back to "queued"."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from support.jmap_client import Client, make_client

from api.core.submission_model import DeliveryStatus
from api.services import Services

RAW = b"From: alice@example.org\r\nTo: carol@example.org\r\nSubject: race\r\n\r\nhello\r\n"
DELIVERED = DeliveryStatus(
    email="dan@far.example", smtp_reply="250 2.0.0 accepted by far.example", delivered="yes"
)


async def _create(alice: Client, rcpts: list[str]) -> dict[str, Any]:
    email = await alice.import_email(RAW, role="drafts")
    identity = (await alice.one("Identity/get", ids=None))["list"][0]["id"]
    envelope = {"mailFrom": {"email": "alice@example.org"}, "rcptTo": [{"email": r} for r in rcpts]}
    return {"s": {"emailId": email["id"], "identityId": identity, "envelope": envelope}}


async def _inbox_count(client: Client) -> int:
    inbox = await client.mailbox("inbox")
    return len((await client.one("Email/query", filter={"inMailbox": inbox}))["ids"])


async def test_two_retries_at_once_resume_the_record_once(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await make_client(services, "alice@example.org")
    carol = await make_client(services, "carol@example.org")
    real_deliver = services.delivery.deliver
    calls: list[str] = []
    inside, release = asyncio.Event(), asyncio.Event()

    async def deliver(recipient: str, raw: bytes, mail_from: str) -> Any:
        calls.append(recipient)
        if len(calls) == 1:
            raise OSError("disk full")  # the first send fails, leaving carol pending
        if len(calls) == 2:
            inside.set()  # the first retry is delivering; hold it there
            await release.wait()
        return await real_deliver(recipient, raw, mail_from)

    monkeypatch.setattr(services.delivery, "deliver", deliver)
    create = await _create(alice, ["carol@example.org"])
    [(name, _, _)] = await alice.batch(("EmailSubmission/set", {"create": create}))
    assert name == "error"

    first = asyncio.create_task(alice.one("EmailSubmission/set", create=create))
    await inside.wait()
    second = await alice.one("EmailSubmission/set", create=create)
    release.set()
    done = (await first)["created"]["s"]
    waiting = second["created"]["s"]
    assert waiting["id"] == done["id"]
    # The second retry found the record held: it sent nothing and says so.
    assert waiting["deliveryStatus"]["carol@example.org"]["smtpReply"].startswith("451")
    assert done["deliveryStatus"]["carol@example.org"]["delivered"] == "yes"
    assert calls == ["carol@example.org"] * 2
    assert await _inbox_count(carol) == 1


async def test_a_final_status_from_the_queue_is_not_taken_back(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue delivers as soon as its entry commits, before submit returns: the record
    keeps "yes" (the created response says "queued", as it stood at that commit)."""
    alice = await make_client(services, "alice@example.org")
    real_enqueue = services.outbound.enqueue_many

    async def enqueue_many(*args: Any, **kwargs: Any) -> Any:
        queued = await real_enqueue(*args, **kwargs)
        for position in kwargs["positions"]:
            written = await services.submissions.record_delivery(
                alice.unlocked.account_id, kwargs["submission_id"], position, DELIVERED
            )
            assert written
        return queued

    monkeypatch.setattr(services.outbound, "enqueue_many", enqueue_many)
    create = await _create(alice, ["dan@far.example"])
    created = (await alice.one("EmailSubmission/set", create=create))["created"]["s"]
    assert created["deliveryStatus"]["dan@far.example"]["delivered"] == "queued"
    [record] = (await alice.one("EmailSubmission/get", ids=None))["list"]
    assert record["deliveryStatus"]["dan@far.example"]["delivered"] == "yes"

    # A late "queued" (a retry's deferral racing the success) changes nothing, not
    # even the state.
    state = record_state = (await alice.one("EmailSubmission/get", ids=[]))["state"]
    late = DeliveryStatus(email="dan@far.example", smtp_reply="451 4.4.1 later", delivered="queued")
    account = alice.unlocked.account_id
    assert not await services.submissions.record_delivery(account, record["id"], 0, late)
    assert (await alice.one("EmailSubmission/get", ids=[]))["state"] == state == record_state
    [again] = (await alice.one("EmailSubmission/get", ids=None))["list"]
    assert again["deliveryStatus"] == record["deliveryStatus"]


async def test_queued_statuses_may_be_rewritten_until_final(services: Services) -> None:
    """A deferral's new reply replaces the last one; "no" after "queued" is final."""
    alice = await make_client(services, "alice@example.org")
    create = await _create(alice, ["dan@far.example"])
    created = (await alice.one("EmailSubmission/set", create=create))["created"]["s"]
    account, submission_id = alice.unlocked.account_id, created["id"]
    deferred = DeliveryStatus(email="dan@far.example", smtp_reply="451 4.4.1 x", delivered="queued")
    failed = DeliveryStatus(email="dan@far.example", smtp_reply="550 5.1.1 x", delivered="no")
    record = services.submissions.record_delivery
    assert await record(account, submission_id, 0, deferred)
    assert await record(account, submission_id, 0, failed)
    assert not await record(account, submission_id, 0, deferred)
    [got] = (await alice.one("EmailSubmission/get", ids=[submission_id]))["list"]
    assert got["deliveryStatus"]["dan@far.example"]["smtpReply"] == "550 5.1.1 x"
