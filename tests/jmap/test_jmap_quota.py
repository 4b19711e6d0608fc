"""Quota/get, /changes, /query (RFC 9425) and the limit enforced on import, on both backends."""

from __future__ import annotations

import pytest
from support.jmap_client import make_client
from support.services import ServicesFactory

from api.core.errors import OverQuotaError
from api.core.ingest import IncomingEmail

MESSAGE = b"From: a@example.net\r\nSubject: hello\r\n\r\n" + b"x" * 1000 + b"\r\n"


async def test_an_account_without_a_limit_shows_no_quota(make_services: ServicesFactory) -> None:
    client = await make_client(await make_services())
    got = await client.one("Quota/get", ids=None)
    assert got["list"] == [] and got["notFound"] == []
    assert (await client.one("Quota/query"))["ids"] == []


async def test_imports_count_against_the_limit_until_it_is_full(
    make_services: ServicesFactory,
) -> None:
    limit = 2 * len(MESSAGE) + 10
    client = await make_client(await make_services(mail_quota_octets=limit))
    state = (await client.one("Quota/get", ids=["mail"]))["state"]
    await client.import_email(MESSAGE)
    await client.import_email(MESSAGE)

    [quota] = (await client.one("Quota/get", ids=None))["list"]
    assert quota["used"] == 2 * len(MESSAGE) and quota["hardLimit"] == limit
    assert quota["resourceType"] == "octets" and quota["scope"] == "account"
    assert quota["types"] == ["Mail"]
    changes = await client.one("Quota/changes", sinceState=state)
    assert changes["updated"] == ["mail"]

    inbox = await client.mailbox("inbox")
    blob_id = await client.upload(MESSAGE)
    refused = await client.one(
        "Email/import", emails={"x": {"blobId": blob_id, "mailboxIds": {inbox: True}}}
    )
    assert refused["notCreated"]["x"]["type"] == "overQuota"
    # Nothing of the refused message stayed: the count and the mailbox are unchanged.
    [after] = (await client.one("Quota/get", ids=["mail"]))["list"]
    assert after["used"] == 2 * len(MESSAGE)
    box = (await client.one("Mailbox/get", ids=[inbox], properties=["totalEmails"]))["list"]
    assert box[0]["totalEmails"] == 2


async def test_delivery_is_refused_over_quota_too(make_services: ServicesFactory) -> None:
    services = await make_services(mail_quota_octets=len(MESSAGE) + 1)
    client = await make_client(services)
    inbox = await client.mailbox("inbox")
    incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=1_800_000_000)
    await services.emails.ingest.deliver(client.unlocked.account_id, MESSAGE, incoming)
    with pytest.raises(OverQuotaError):
        await services.emails.ingest.deliver(client.unlocked.account_id, MESSAGE, incoming)
    query = await client.one("Quota/query", filter={"type": "Mail"}, calculateTotal=True)
    assert query["ids"] == ["mail"] and query["total"] == 1
    unsupported = await client.error("Quota/query", sort=[{"property": "colour"}])
    assert unsupported["type"] == "unsupportedSort"


async def test_restore_is_charged_like_a_delivery(make_services: ServicesFactory) -> None:
    """Destroyed mail is not counted; bringing it back must not go past the limit."""
    client = await make_client(await make_services(mail_quota_octets=2 * len(MESSAGE) + 10))
    first = await client.import_email(MESSAGE)
    await client.one("Email/set", destroy=[first["id"]])
    await client.import_email(MESSAGE)
    second = await client.import_email(MESSAGE)

    refused = await client.one("Email/restore", ids=[first["id"]])
    assert refused["restored"] == {} and refused["notFound"] == []
    error = refused["notRestored"][first["id"]]
    assert error["type"] == "overQuota" and "full" in error["description"]
    [quota] = (await client.one("Quota/get", ids=["mail"]))["list"]
    assert quota["used"] == 2 * len(MESSAGE)
    assert [e["id"] for e in (await client.one("Email/listDeleted"))["list"]] == [first["id"]]

    await client.one("Email/set", destroy=[second["id"]])
    restored = await client.one("Email/restore", ids=[first["id"]])
    assert list(restored["restored"]) == [first["id"]] and restored["notRestored"] is None
    [quota] = (await client.one("Quota/get", ids=["mail"]))["list"]
    assert quota["used"] == 2 * len(MESSAGE)
