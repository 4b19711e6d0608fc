"""Email/import, Email/get, Email/changes, Thread/get and Mailbox counts (RFC 8621 2-4)
through the in-process caller, on both database backends."""

from __future__ import annotations

import pytest
from support.jmap_client import Client, make_client
from support.messages import message

from api.core.ingest import IncomingEmail
from api.services import Services

MULTIPART = (
    b"From: carol@example.com\r\nTo: alice@example.org\r\nSubject: Report\r\n"
    b"Message-ID: <r@example.com>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="xx"\r\n\r\n'
    b"--xx\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n"
    b"--xx\r\nContent-Type: application/pdf\r\n"
    b'Content-Disposition: attachment; filename="q3.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--xx--\r\n"
)


@pytest.fixture
async def client(services: Services) -> Client:
    return await make_client(services)


async def test_import_then_get_returns_summary_and_metadata(client: Client) -> None:
    before = (await client.one("Email/get", ids=[]))["state"]
    created = await client.import_email(
        message(), keywords={"$Seen": True, "Work": True}, receivedAt="2026-12-01T08:31:00Z"
    )
    assert created["id"].startswith("e") and created["threadId"].startswith("t")
    inbox = await client.mailbox("inbox")

    got = await client.one(
        "Email/get",
        ids=[created["id"], "enope"],
        properties=[
            "subject", "from", "to", "mailboxIds", "keywords", "receivedAt", "sentAt",
            "messageId", "size", "preview", "threadId", "blobId", "hasAttachment",
        ],
    )  # fmt: skip
    [email] = got["list"]
    assert got["notFound"] == ["enope"] and got["state"] != before
    assert email["subject"] == "Lunch on Friday"
    assert email["from"] == [{"name": "Bob", "email": "bob@example.net"}]
    assert email["to"] == [{"name": "Alice", "email": "alice@example.org"}]
    assert email["mailboxIds"] == {inbox: True}
    # Keywords are case-insensitive and stored lowercase (RFC 8621 4.1.1).
    assert email["keywords"] == {"$seen": True, "work": True}
    assert email["receivedAt"] == "2026-12-01T08:31:00Z"
    assert email["sentAt"] == "2026-12-01T08:30:00Z"
    assert email["messageId"] == ["m1@example.net"]
    assert email["preview"] == "Shall we meet at noon?"
    assert email["size"] == len(message()) and email["blobId"] == created["blobId"]
    assert email["hasAttachment"] is False
    assert email["threadId"] == created["threadId"]


async def test_get_with_default_properties_parses_the_body(client: Client) -> None:
    created = await client.import_email(MULTIPART)
    got = await client.one("Email/get", ids=[created["id"]], fetchTextBodyValues=True)
    [email] = got["list"]
    assert email["hasAttachment"] is True
    [text] = email["textBody"]
    assert email["bodyValues"][text["partId"]]["value"].startswith("See the attachment.")
    [pdf] = email["attachments"]
    assert pdf["name"] == "q3.pdf" and pdf["type"] == "application/pdf" and pdf["size"] == 9
    assert pdf["blobId"].startswith(created["blobId"] + "_")
    assert "headers" not in email and "bodyStructure" not in email

    structure = await client.one(
        "Email/get",
        ids=[created["id"]],
        properties=["bodyStructure", "header:Subject:asText", "header:X-Missing:all"],
        bodyProperties=["type", "partId"],
    )
    [shown] = structure["list"]
    assert shown["header:Subject:asText"] == "Report"
    assert shown["header:X-Missing:all"] == []
    root = shown["bodyStructure"]
    assert root["type"] == "multipart/mixed"
    assert [p["type"] for p in root["subParts"]] == ["text/plain", "application/pdf"]


async def test_get_refuses_unknown_properties_and_missing_ids(client: Client) -> None:
    assert (await client.error("Email/get", ids=[], properties=["colour"]))[
        "type"
    ] == "invalidArguments"
    assert (await client.error("Email/get", ids=[], properties=["header:From:asColour"]))[
        "type"
    ] == "invalidArguments"
    assert (await client.error("Email/get", ids=None))["type"] == "requestTooLarge"


async def test_import_errors_are_set_errors(client: Client) -> None:
    inbox = await client.mailbox("inbox")
    blob_id = await client.upload(message())
    got = await client.one(
        "Email/import",
        emails={
            "a": {"blobId": "bnothere", "mailboxIds": {inbox: True}},
            "b": {"blobId": blob_id, "mailboxIds": {"mnothere": True}},
            "c": {"blobId": blob_id, "mailboxIds": {}},
            "d": {"blobId": blob_id, "mailboxIds": {inbox: True}, "keywords": {"bad kw": True}},
            "e": {"blobId": blob_id, "mailboxIds": {inbox: True}, "receivedAt": "yesterday"},
        },
    )
    errors = got["notCreated"]
    assert errors["a"]["type"] == "blobNotFound" and errors["a"]["notFound"] == ["bnothere"]
    assert errors["b"]["type"] == "invalidProperties" and errors["b"]["properties"] == [
        "mailboxIds"
    ]
    assert errors["c"]["properties"] == ["mailboxIds"]
    assert errors["d"]["properties"] == ["keywords"]
    assert errors["e"]["properties"] == ["receivedAt"]
    assert got["created"] is None and got["oldState"] == got["newState"]
    mismatch = await client.error(
        "Email/import",
        ifInState="999999",
        emails={"a": {"blobId": blob_id, "mailboxIds": {inbox: True}}},
    )
    assert mismatch["type"] == "stateMismatch"


async def test_replies_share_a_thread_only_when_the_subject_matches(client: Client) -> None:
    first = await client.import_email(message("Budget", "b1@x"), receivedAt="2026-01-01T00:00:00Z")
    reply = await client.import_email(
        message("Re: Budget", "b2@x", in_reply_to="b1@x"), receivedAt="2026-01-01T00:00:01Z"
    )
    other = await client.import_email(message("Party!", "b3@x", in_reply_to="b1@x"))
    # A reply that arrives before its parent registers the parent's id for it.
    late_child = await client.import_email(
        message("RE: Plans", "p2@x", in_reply_to="p1@x"), receivedAt="2026-01-01T00:00:00Z"
    )
    late_parent = await client.import_email(
        message("Plans", "p1@x"), receivedAt="2026-01-02T00:00:00Z"
    )

    assert reply["threadId"] == first["threadId"]
    assert other["threadId"] != first["threadId"]
    assert late_parent["threadId"] == late_child["threadId"]
    threads = await client.one(
        "Thread/get", ids=[first["threadId"], late_child["threadId"], "tnope"]
    )
    assert threads["list"] == [
        {"id": first["threadId"], "emailIds": [first["id"], reply["id"]]},
        {"id": late_child["threadId"], "emailIds": [late_child["id"], late_parent["id"]]},
    ]
    assert threads["notFound"] == ["tnope"]


async def test_changes_report_new_emails_threads_and_mailbox_counts(client: Client) -> None:
    email_state = (await client.one("Email/get", ids=[]))["state"]
    thread_state = (await client.one("Thread/get", ids=[]))["state"]
    mailbox_state = (await client.one("Mailbox/get", ids=[]))["state"]
    created = await client.import_email(message())
    unread = await client.import_email(message("Second", "m2@x"), keywords={"$seen": True})

    emails = await client.one("Email/changes", sinceState=email_state)
    assert sorted(emails["created"]) == sorted([created["id"], unread["id"]])
    assert emails["updated"] == [] and emails["destroyed"] == []
    threads = await client.one("Thread/changes", sinceState=thread_state)
    assert sorted(threads["created"]) == sorted([created["threadId"], unread["threadId"]])
    inbox = await client.mailbox("inbox")
    mailboxes = await client.one("Mailbox/changes", sinceState=mailbox_state)
    assert mailboxes["updated"] == [inbox]

    got = await client.one("Mailbox/get", ids=[inbox])
    [box] = got["list"]
    assert (box["totalEmails"], box["unreadEmails"]) == (2, 1)
    assert (box["totalThreads"], box["unreadThreads"]) == (2, 1)
    too_old = await client.error("Email/changes", sinceState="99999999")
    assert too_old["type"] == "cannotCalculateChanges"


async def test_imap_uids_are_allocated_per_mailbox_in_order(client: Client) -> None:
    ids = [(await client.import_email(message(f"n{i}", f"u{i}@x")))["id"] for i in range(3)]
    inbox = await client.mailbox("inbox")
    got = await client.one("Email/get", ids=ids, properties=["imapUids", "modseq"])
    assert [e["imapUids"] for e in got["list"]] == [{inbox: 1}, {inbox: 2}, {inbox: 3}]
    modseqs = [e["modseq"] for e in got["list"]]
    assert modseqs == sorted(modseqs) and len(set(modseqs)) == 3
    box = (await client.one("Mailbox/get", ids=[inbox], properties=["uidNext"]))["list"][0]
    assert box["uidNext"] == 4


async def test_mail_delivered_while_locked_is_threaded_at_the_next_read(
    client: Client, services: Services
) -> None:
    parent = await client.import_email(message("Trip", "t1@x"))
    inbox = await client.mailbox("inbox")
    state = (await client.one("Email/get", ids=[]))["state"]
    # Delivery has only the public key: no threading, summary sealed to the public key.
    delivered = await services.emails.ingest.deliver(
        client.unlocked.account_id,
        message("Re: Trip", "t2@x", in_reply_to="t1@x"),
        IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=1_800_000_000),
    )
    assert delivered.pending and delivered.thread_id is None

    got = await client.one("Email/get", ids=[delivered.id], properties=["threadId", "subject"])
    assert got["list"] == [
        {"id": delivered.id, "threadId": parent["threadId"], "subject": "Re: Trip"}
    ]
    changes = await client.one("Email/changes", sinceState=state)
    assert changes["created"] == [delivered.id]
    [record] = await services.emails.records(client.unlocked, [delivered.id])
    assert not record.pending


async def test_highest_modseq_grows_with_every_change(client: Client) -> None:
    inbox = await client.mailbox("inbox")

    async def highest() -> int:
        got = await client.one("Mailbox/get", ids=[inbox], properties=["highestModseq"])
        return int(got["list"][0]["highestModseq"])

    before = await highest()
    created = await client.import_email(message())
    after = await highest()
    modseq = (await client.one("Email/get", ids=[created["id"]], properties=["modseq"]))["list"]
    assert before < after and modseq[0]["modseq"] <= after
    await client.one("Email/set", update={created["id"]: {"keywords/$seen": True}})
    assert await highest() > after


async def test_search_snippets_mark_the_searched_words(client: Client) -> None:
    created = await client.import_email(message("Lunch <on> Friday", body="Lunch at noon?\r\n"))
    got = await client.one(
        "SearchSnippet/get",
        emailIds=[created["id"], "enope"],
        filter={"operator": "AND", "conditions": [{"subject": "lunch"}, {"text": "noon"}]},
    )
    assert got["list"] == [
        {
            "emailId": created["id"],
            "subject": "<mark>Lunch</mark> &lt;on&gt; Friday",
            "preview": "<mark>Lunch</mark> at <mark>noon</mark>?",
        }
    ]
    assert got["notFound"] == ["enope"]
    plain = await client.one("SearchSnippet/get", emailIds=[created["id"]], filter=None)
    assert plain["list"] == [{"emailId": created["id"], "subject": None, "preview": None}]


async def test_copy_needs_another_account_which_a_user_never_has(client: Client) -> None:
    created = await client.import_email(message())
    inbox = await client.mailbox("inbox")
    create = {"c": {"id": created["id"], "mailboxIds": {inbox: True}}}
    same = await client.error("Email/copy", fromAccountId=client.account_id, create=create)
    assert same["type"] == "invalidArguments"
    other = await client.error("Email/copy", fromAccountId="aother", create=create)
    assert other["type"] == "fromAccountNotFound"
