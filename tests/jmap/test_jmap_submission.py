"""EmailSubmission (RFC 8621 7): local delivery, the outbound queue, vacation replies and the
SetErrors of sending, through the in-process caller on both database backends."""

from __future__ import annotations

from typing import Any

import pytest
from support.jmap_client import Client, make_client

from api.core.outbound_queue import open_envelope, queue_keypair
from api.services import Services


def outgoing(to: str, *, sender: str = "alice@example.org", bcc: str | None = None) -> bytes:
    lines = [
        f"From: Alice <{sender}>",
        f"To: {to}",
        "Subject: Plans for Saturday",
        "Message-ID: <plans@example.org>",
    ]
    if bcc:
        lines.append(f"Bcc: {bcc}")
    return ("\r\n".join([*lines, "", "Hike at nine?", ""])).encode()


@pytest.fixture
async def alice(services: Services) -> Client:
    return await make_client(services, "alice@example.org")


@pytest.fixture
async def bob(services: Services) -> Client:
    return await make_client(services, "bob@example.org")


async def identity_id(client: Client) -> str:
    got = await client.one("Identity/get", ids=None)
    return str(got["list"][0]["id"])


async def send(client: Client, raw: bytes, **extra: Any) -> dict[str, Any]:
    email = await client.import_email(raw, role="drafts")
    return await client.one(
        "EmailSubmission/set",
        create={"s": {"emailId": email["id"], "identityId": await identity_id(client), **extra}},
    )


async def inbox_ids(client: Client, since: str) -> list[str]:
    return list((await client.one("Email/changes", sinceState=since))["created"])


async def test_local_recipients_receive_at_once_without_the_bcc(
    alice: Client, bob: Client, services: Services
) -> None:
    bob_state = (await bob.one("Email/get", ids=[]))["state"]
    sent = await send(alice, outgoing("Bob <bob@example.org>", bcc="bob@example.org"))
    created = sent["created"]["s"]
    assert created["undoStatus"] == "final" and created["id"].startswith("s")
    assert created["deliveryStatus"]["bob@example.org"]["delivered"] == "yes"
    assert created["envelope"] == {
        "mailFrom": {"email": "alice@example.org", "parameters": None},
        "rcptTo": [{"email": "bob@example.org", "parameters": None}],
    }

    [received] = await inbox_ids(bob, bob_state)
    got = await bob.one("Email/get", ids=[received], properties=["subject", "mailboxIds"])
    assert got["list"][0]["subject"] == "Plans for Saturday"
    assert list(got["list"][0]["mailboxIds"]) == [await bob.mailbox("inbox")]
    [record] = await services.emails.records(bob.unlocked, [received])
    raw = await services.emails.raw(bob.unlocked, record)
    assert b"Bcc:" not in raw and b"Hike at nine?" in raw

    listed = await alice.one("EmailSubmission/get", ids=None)
    assert [s["id"] for s in listed["list"]] == [created["id"]]
    assert listed["list"][0]["deliveryStatus"]["bob@example.org"]["smtpReply"].startswith("250")


async def test_remote_recipients_wait_sealed_in_the_queue(
    alice: Client, services: Services
) -> None:
    sent = await send(alice, outgoing("carol@elsewhere.example"))
    status = sent["created"]["s"]["deliveryStatus"]["carol@elsewhere.example"]
    assert status["delivered"] == "queued"
    async with services.store.transaction() as tx:
        [entry] = await tx.submissions.queued(alice.unlocked.account_id)
        keypair = await queue_keypair(tx, "example.org")
        blob = await tx.blobs.get(alice.unlocked.account_id, entry.blob_id)
    assert b"elsewhere" not in entry.envelope_sealed
    envelope = open_envelope(keypair, entry)
    assert (envelope.mail_from, envelope.rcpt_to) == (
        "alice@example.org",
        "carol@elsewhere.example",
    )
    assert entry.submission_id == sent["created"]["s"]["id"] and blob is not None


async def test_unknown_local_recipients_fail_permanently(alice: Client) -> None:
    sent = await send(alice, outgoing("nobody@example.org"))
    status = sent["created"]["s"]["deliveryStatus"]["nobody@example.org"]
    assert status["delivered"] == "no" and status["smtpReply"].startswith("550 5.1.1")


async def test_sending_is_refused_with_the_rfc_set_errors(alice: Client) -> None:
    identity = await identity_id(alice)
    forged = await alice.import_email(outgoing("bob@example.org", sender="mallory@example.org"))
    plain = await alice.import_email(outgoing("bob@example.org"))
    nobody = await alice.import_email(outgoing("undisclosed-recipients:;"))
    bad = {"mailFrom": {"email": "alice@example.org"}, "rcptTo": [{"email": "not an address"}]}
    honest = {"mailFrom": {"email": "alice@example.org"}, "rcptTo": [{"email": "b@x.org"}]}
    forged_from = {"mailFrom": {"email": "mallory@example.org"}, "rcptTo": [{"email": "b@x.org"}]}
    got = await alice.one(
        "EmailSubmission/set",
        create={
            "from": {"emailId": forged["id"], "identityId": identity},
            "header": {"emailId": forged["id"], "identityId": identity, "envelope": honest},
            "mailfrom": {"emailId": plain["id"], "identityId": identity, "envelope": forged_from},
            "none": {"emailId": nobody["id"], "identityId": identity},
            "invalid": {"emailId": plain["id"], "identityId": identity, "envelope": bad},
            "identity": {"emailId": plain["id"], "identityId": "inope"},
            "email": {"emailId": "enope", "identityId": identity},
            "extra": {"emailId": plain["id"], "identityId": identity, "sendAt": "2030-01-01"},
        },
    )
    errors = got["notCreated"]
    assert errors["from"]["type"] == "forbiddenMailFrom"
    assert errors["header"]["type"] == "forbiddenFrom"
    assert errors["mailfrom"]["type"] == "forbiddenMailFrom"
    assert errors["none"]["type"] == "noRecipients"
    assert errors["invalid"]["type"] == "invalidRecipients"
    assert errors["invalid"]["invalidRecipients"] == ["not an address"]
    assert errors["identity"]["properties"] == ["identityId"]
    assert errors["email"]["properties"] == ["emailId"]
    assert errors["extra"]["properties"] == ["sendAt"]
    assert got["created"] is None and got["oldState"] == got["newState"]


async def test_a_vacation_response_answers_once_per_sender(alice: Client, bob: Client) -> None:
    await bob.one(
        "VacationResponse/set",
        update={"singleton": {"isEnabled": True, "textBody": "Back on Monday."}},
    )
    alice_state = (await alice.one("Email/get", ids=[]))["state"]
    await send(alice, outgoing("bob@example.org"))
    await send(alice, outgoing("bob@example.org"))

    replies = await inbox_ids(alice, alice_state)
    # Her own two drafts, and one auto-reply: RFC 3834 answers a sender once per period.
    got = await alice.one("Email/get", ids=replies, properties=["subject", "from"])
    auto = [e for e in got["list"] if e["from"][0]["email"] == "bob@example.org"]
    assert [e["subject"] for e in auto] == ["Auto: Plans for Saturday"]


async def test_query_changes_and_destroy(alice: Client) -> None:
    state = (await alice.one("EmailSubmission/get", ids=[]))["state"]
    first = (await send(alice, outgoing("bob@example.org")))["created"]["s"]["id"]
    second = (await send(alice, outgoing("bob@example.org")))["created"]["s"]["id"]
    query = await alice.one(
        "EmailSubmission/query",
        filter={"undoStatus": "final"},
        sort=[{"property": "sentAt", "isAscending": True}],
        calculateTotal=True,
    )
    assert sorted(query["ids"]) == sorted([first, second]) and query["total"] == 2
    changes = await alice.one("EmailSubmission/changes", sinceState=state)
    assert sorted(changes["created"]) == sorted([first, second])

    cancel = await alice.one("EmailSubmission/set", update={first: {"undoStatus": "canceled"}})
    assert cancel["notUpdated"][first]["type"] == "cannotUnsend"
    gone = await alice.one("EmailSubmission/set", destroy=[first, "snope"])
    assert gone["destroyed"] == [first] and gone["notDestroyed"]["snope"]["type"] == "notFound"
    left = await alice.one("EmailSubmission/get", ids=[first, second])
    assert [s["id"] for s in left["list"]] == [second] and left["notFound"] == [first]


async def test_send_a_draft_and_file_it_in_sent(alice: Client, bob: Client) -> None:
    """The webmail's send: create the draft, submit it, move it Drafts -> Sent on success."""
    drafts, sent = await alice.mailbox("drafts"), await alice.mailbox("sent")
    bob_state = (await bob.one("Email/get", ids=[]))["state"]
    responses = await alice.batch(
        (
            "Email/set",
            {
                "create": {
                    "d": {
                        "mailboxIds": {drafts: True},
                        "keywords": {"$draft": True, "$seen": True},
                        "from": [{"email": "alice@example.org"}],
                        "to": [{"email": "bob@example.org"}],
                        "subject": "Composed here",
                        "textBody": [{"partId": "1", "type": "text/plain"}],
                        "bodyValues": {"1": {"value": "Hello Bob"}},
                    }
                }
            },
        ),
        (
            "EmailSubmission/set",
            {
                "create": {"s": {"emailId": "#d", "identityId": await identity_id(alice)}},
                "onSuccessUpdateEmail": {
                    "#s": {f"mailboxIds/{drafts}": None, f"mailboxIds/{sent}": True,
                           "keywords/$draft": None}
                },
            },
        ),
    )  # fmt: skip
    names = [name for name, _, _ in responses]
    assert names == ["Email/set", "EmailSubmission/set", "Email/set"], responses
    email_id = responses[0][1]["created"]["d"]["id"]
    assert responses[2][1]["updated"] == {email_id: None}
    filed = await alice.one("Email/get", ids=[email_id], properties=["mailboxIds", "keywords"])
    assert filed["list"][0]["mailboxIds"] == {sent: True}
    assert filed["list"][0]["keywords"] == {"$seen": True}
    [received] = await inbox_ids(bob, bob_state)
    got = await bob.one("Email/get", ids=[received], properties=["subject"])
    assert got["list"][0]["subject"] == "Composed here"


async def test_a_failure_mid_send_leaves_the_record_and_a_retry_sends_only_the_rest(
    alice: Client, bob: Client, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record is saved before the first delivery: a crash part-way shows who got the
    email, and the client's retry of the same creation delivers only to the rest."""
    carol = await make_client(services, "carol@example.org")
    states = {c: (await c.one("Email/get", ids=[]))["state"] for c in (bob, carol)}
    real_deliver = services.delivery.deliver
    failing = {"carol@example.org"}

    async def deliver(recipient: str, raw: bytes, mail_from: str) -> Any:
        if recipient in failing:
            raise OSError("disk full")  # the storage failing under this one recipient
        return await real_deliver(recipient, raw, mail_from)

    monkeypatch.setattr(services.delivery, "deliver", deliver)
    email = await alice.import_email(outgoing("bob@example.org"), role="drafts")
    rcpts = ["bob@example.org", "nobody@example.org", "carol@example.org", "dan@far.example"]
    create = {
        "s": {
            "emailId": email["id"],
            "identityId": await identity_id(alice),
            "envelope": {
                "mailFrom": {"email": "alice@example.org"},
                "rcptTo": [{"email": r} for r in rcpts],
            },
        }
    }
    [(name, failed, _)] = await alice.batch(("EmailSubmission/set", {"create": create}))
    assert name == "error" and failed["type"] == "serverFail", failed

    [record] = (await alice.one("EmailSubmission/get", ids=None))["list"]
    status = record["deliveryStatus"]
    assert status["bob@example.org"]["delivered"] == "yes"
    assert status["nobody@example.org"]["delivered"] == "no"
    for pending in ("carol@example.org", "dan@far.example"):
        assert status[pending]["delivered"] == "queued"
        assert status[pending]["smtpReply"].startswith("451"), status[pending]

    failing.clear()
    retried = await alice.one("EmailSubmission/set", create=create)
    done = retried["created"]["s"]
    assert done["id"] == record["id"]
    assert done["deliveryStatus"]["carol@example.org"]["delivered"] == "yes"
    assert done["deliveryStatus"]["dan@far.example"]["smtpReply"].startswith("250")
    assert len(await inbox_ids(bob, states[bob])) == 1  # not delivered twice
    assert len(await inbox_ids(carol, states[carol])) == 1
    async with services.store.transaction() as tx:
        queued = await tx.submissions.queued(alice.unlocked.account_id)
    assert [e.submission_id for e in queued] == [record["id"]]
    [again] = (await alice.one("EmailSubmission/get", ids=None))["list"]
    assert again["deliveryStatus"] == done["deliveryStatus"]
