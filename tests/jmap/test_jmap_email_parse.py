"""Email/parse (RFC 8621 4.9), part blobs (4.1.4 blobId) through Email/import and
Blob/copy, and EmailComposer.create_email (4.6), on both database backends."""

from __future__ import annotations

from typing import Any

import pytest
from support.jmap_client import Client, make_client

from api.core.errors import BlobNotFoundError, InvalidEmailError
from api.core.ingest import IncomingEmail
from api.services import Services

INNER = (
    b"From: Dave <dave@example.com>\r\nTo: carol@example.com\r\nSubject: Original\r\n"
    b"Message-ID: <orig@example.com>\r\nDate: Mon, 02 Mar 2026 10:00:00 +0000\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe original text.\r\n"
)
FORWARD = (
    b"From: carol@example.com\r\nTo: alice@example.org\r\nSubject: Fwd: Original\r\n"
    b"Message-ID: <fwd@example.com>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="xx"\r\n\r\n'
    b"--xx\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n"
    b"--xx\r\nContent-Type: message/rfc822\r\n\r\n" + INNER + b"\r\n"
    b"--xx\r\nContent-Type: application/pdf\r\n"
    b'Content-Disposition: attachment; filename="q3.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--xx--\r\n"
)


@pytest.fixture
async def client(services: Services) -> Client:
    return await make_client(services)


async def test_parse_shows_blobs_as_emails_without_metadata(client: Client) -> None:
    blob_id = await client.upload(FORWARD)
    got = await client.one(
        "Email/parse",
        blobIds=[blob_id, "bnothere00000000a"],
        properties=["id", "blobId", "mailboxIds", "threadId", "size", "subject", "attachments"],
        bodyProperties=["partId", "blobId", "type", "name"],
    )
    assert got["notFound"] == ["bnothere00000000a"] and got["notParsable"] is None
    email = got["parsed"][blob_id]
    assert email["id"] is None and email["mailboxIds"] is None and email["threadId"] is None
    assert email["blobId"] == blob_id and email["size"] == len(FORWARD)
    assert email["subject"] == "Fwd: Original"
    forwarded, pdf = email["attachments"]
    assert forwarded == {"partId": "2", "blobId": f"{blob_id}_2", "type": "message/rfc822",
                         "name": None}  # fmt: skip
    assert pdf["blobId"] == f"{blob_id}_3" and pdf["name"] == "q3.pdf"


async def test_parse_defaults_and_body_values(client: Client) -> None:
    blob_id = await client.upload(FORWARD)
    got = await client.one(
        "Email/parse", blobIds=[blob_id], fetchTextBodyValues=True, maxBodyValueBytes=3
    )
    email = got["parsed"][blob_id]
    assert "id" not in email and "headers" not in email
    assert email["hasAttachment"] is True and email["preview"] == "See below."
    [text] = email["textBody"]
    assert email["bodyValues"][text["partId"]] == {
        "value": "See",
        "isEncodingProblem": False,
        "isTruncated": True,
    }
    refused = await client.error("Email/parse", blobIds=[blob_id], properties=["colour"])
    assert refused["type"] == "invalidArguments"


async def test_an_attached_message_parses_and_imports_from_its_part_blob(client: Client) -> None:
    created = await client.import_email(FORWARD)
    part = f"{created['blobId']}_2"
    got = await client.one("Email/parse", blobIds=[part], properties=["subject", "textBody"])
    inner = got["parsed"][part]
    assert inner["subject"] == "Original"
    assert inner["textBody"][0]["blobId"] == f"{part}_1"

    inbox = await client.mailbox("inbox")
    imported = await client.one(
        "Email/import", emails={"f": {"blobId": part, "mailboxIds": {inbox: True}}}
    )
    assert imported["notCreated"] is None
    new = imported["created"]["f"]
    assert new["blobId"] != part and new["size"] == len(INNER)
    shown = await client.one("Email/get", ids=[new["id"]], properties=["subject", "messageId"])
    assert shown["list"][0]["subject"] == "Original"
    assert await client.services.part_blobs.read(client.unlocked, f"{part}_1") == (
        b"The original text.\r\n"
    )


async def test_part_blobs_that_do_not_exist(client: Client) -> None:
    created = await client.import_email(FORWARD)
    base = created["blobId"]
    missing = [f"{base}_9", f"{base}_3_1", "bnothere00000000a_1"]
    got = await client.one("Email/parse", blobIds=missing)
    assert got["notFound"] == missing and got["parsed"] is None
    copy = await client.one(
        "Blob/copy", fromAccountId=client.account_id, blobIds=[f"{base}_3", *missing]
    )
    assert copy["copied"] == {f"{base}_3": f"{base}_3"}
    assert sorted(copy["notCopied"]) == sorted(missing)
    inbox = await client.mailbox("inbox")
    imported = await client.one(
        "Email/import", emails={"x": {"blobId": f"{base}_9", "mailboxIds": {inbox: True}}}
    )
    assert imported["notCreated"]["x"]["type"] == "blobNotFound"


async def _create(client: Client, create: dict[str, Any]) -> str:
    inbox = await client.mailbox("drafts")
    record = await client.services.composer.create_email(
        client.unlocked,
        create,
        IncomingEmail(mailbox_ids=[inbox], keywords=["$draft"], received_at=1_800_000_000),
    )
    return record.id


async def test_create_email_stores_a_composed_message(client: Client) -> None:
    forwarded = await client.import_email(FORWARD)
    q3_part = f"{forwarded['blobId']}_3"
    upload = await client.upload(b"%PDF-1.7 fresh")
    email_id = await _create(
        client,
        {
            "from": [{"name": "Alice Ünger", "email": "alice@example.org"}],
            "to": [{"email": "bob@example.net"}],
            "subject": "Quarterly — figures",
            "textBody": [{"partId": "body"}],
            "bodyValues": {"body": {"value": "Both attached.\n"}},
            "attachments": [
                {"blobId": upload, "type": "application/pdf", "name": "q4.pdf"},
                {"blobId": q3_part, "type": "application/pdf", "name": "q3.pdf"},
            ],
            "keywords": {"$draft": True},
        },
    )
    got = await client.one(
        "Email/get",
        ids=[email_id],
        properties=["subject", "from", "keywords", "attachments", "bodyValues", "messageId"],
        fetchTextBodyValues=True,
    )
    [email] = got["list"]
    assert email["subject"] == "Quarterly — figures"
    assert email["from"] == [{"name": "Alice Ünger", "email": "alice@example.org"}]
    assert email["keywords"] == {"$draft": True}
    assert email["messageId"][0].endswith("@" + client.services.settings.hostname)
    assert [v["value"] for v in email["bodyValues"].values()] == ["Both attached.\r\n"]
    fresh, q3 = email["attachments"]
    read = client.services.part_blobs.read
    assert await read(client.unlocked, fresh["blobId"]) == b"%PDF-1.7 fresh"
    assert await read(client.unlocked, q3["blobId"]) == b"%PDF-1.4\n"


async def test_create_email_errors(client: Client) -> None:
    before = (await client.one("Email/get", ids=[]))["state"]
    with pytest.raises(BlobNotFoundError) as missing:
        await _create(
            client, {"attachments": [{"blobId": "bnothere00000000a"}, {"blobId": "bgone"}]}
        )
    assert missing.value.blob_ids == ["bnothere00000000a", "bgone"]
    with pytest.raises(InvalidEmailError) as invalid:
        await _create(client, {"subject": "a\r\nBcc: eve@example.com"})
    assert invalid.value.properties == ["subject"]
    assert (await client.one("Email/get", ids=[]))["state"] == before
