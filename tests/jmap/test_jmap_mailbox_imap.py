"""Mailbox/imapListing (urn:sealbox:imap): UIDs, ids, keywords and modseqs of a mailbox,
whole or since a modseq, through the in-process caller on both database backends."""

from __future__ import annotations

from typing import Any

import pytest
from support.jmap_client import USING, Client, make_client
from support.messages import message

from api.services import Services

_IMAP_USING = [*USING, "urn:sealbox:imap"]


@pytest.fixture
async def client(services: Services) -> Client:
    return await make_client(services)


async def _listing(client: Client, **args: Any) -> tuple[str, dict[str, Any]]:
    call = ("Mailbox/imapListing", {"accountId": client.account_id, **args}, "c0")
    [(name, body, _)] = await client.caller.call([call], _IMAP_USING)
    body = dict(body)
    if "uids" in body:  # the columns as one [uid, id, keywords, modseq] per member
        columns = [body[c] for c in ("uids", "emailIds", "keywords", "modseqs")]
        assert len({len(c) for c in columns}) == 1, body
        sets = [list(k) for k in body["keywordSets"]]  # tuples in process, arrays over HTTP
        assert len(sets) == len({tuple(k) for k in sets}), "each set is listed once"
        body["list"] = [[u, i, sets[k], m] for u, i, k, m in zip(*columns, strict=True)]
    return name, body


async def _import(client: Client, n: int, **extra: Any) -> str:
    raw = message(f"Note {n}", f"m{n}@example.net")
    return str((await client.import_email(raw, **extra))["id"])


async def test_listing_gives_uids_keywords_and_modseqs_sorted_by_uid(client: Client) -> None:
    inbox = await client.mailbox("inbox")
    first = await _import(client, 1, keywords={"$seen": True, "work": True})
    second = await _import(client, 2)
    emails = await client.one("Email/get", ids=[first, second], properties=["modseq"])
    modseq = {e["id"]: e["modseq"] for e in emails["list"]}
    facts = await client.one(
        "Mailbox/get", ids=[inbox], properties=["uidValidity", "uidNext", "highestModseq"]
    )
    name, got = await _listing(client, mailboxId=inbox)
    assert name == "Mailbox/imapListing", got
    assert got["list"] == [
        [1, first, ["$seen", "work"], modseq[first]],
        [2, second, [], modseq[second]],
    ]
    [box] = facts["list"]
    assert got["uidValidity"] == box["uidValidity"] and got["uidNext"] == 3
    assert got["highestModseq"] == box["highestModseq"] and got["total"] == 2
    assert "removed" not in got  # only a listing since a modseq says what left

    _, empty = await _listing(client, mailboxId=await client.mailbox("trash"))
    assert empty["list"] == [] and empty["total"] == 0


async def test_since_modseq_lists_only_changes_and_what_left(client: Client) -> None:
    inbox, archive = await client.mailbox("inbox"), await client.mailbox("archive")
    kept, flagged, moved, destroyed = [await _import(client, n) for n in range(4)]
    _, before = await _listing(client, mailboxId=inbox)
    since = before["highestModseq"]
    _, unchanged = await _listing(client, mailboxId=inbox, sinceModseq=since)
    assert unchanged["list"] == [] and unchanged["removed"] == [] and unchanged["total"] == 4

    await client.one("Email/set", update={flagged: {"keywords/$flagged": True}})
    await client.one(
        "Email/set", update={moved: {f"mailboxIds/{inbox}": None, f"mailboxIds/{archive}": True}}
    )
    await client.one("Email/set", destroy=[destroyed])
    _, after = await _listing(client, mailboxId=inbox, sinceModseq=since)
    assert [(uid, i, k) for uid, i, k, _ in after["list"]] == [(2, flagged, ["$flagged"])]
    assert after["list"][0][3] > since
    assert sorted(after["removed"]) == sorted([moved, destroyed])
    assert after["total"] == 2 and after["highestModseq"] > since
    assert kept not in after["removed"]

    # Back in the inbox, the moved email is a new message there: a new UID.
    await client.one("Email/set", update={moved: {"mailboxIds": {inbox: True}}})
    _, back = await _listing(client, mailboxId=inbox, sinceModseq=after["highestModseq"])
    assert [(uid, i) for uid, i, _, _ in back["list"]] == [(5, moved)]
    assert back["removed"] == [] and back["total"] == 3


async def test_errors_are_jmap_method_errors(client: Client, services: Services) -> None:
    name, unknown = await _listing(client, mailboxId="mnope")
    assert name == "error" and unknown["type"] == "invalidArguments"
    assert "mnope" in unknown["description"]
    name, negative = await _listing(client, mailboxId=await client.mailbox("inbox"), sinceModseq=-1)
    assert name == "error" and negative["type"] == "invalidArguments"
    name, extra = await _listing(client, mailboxId="m", colour="red")
    assert name == "error" and extra["type"] == "invalidArguments"

    # Another account's mailbox is not this account's: the same answer as none at all.
    bob = await make_client(services, "bob@example.org")
    name, foreign = await _listing(client, mailboxId=await bob.mailbox("inbox"))
    assert name == "error" and foreign["type"] == "invalidArguments"

    # Without urn:sealbox:imap in `using` the method does not exist (RFC 8620 3.6.2).
    refused = await client.error("Mailbox/imapListing", mailboxId=await client.mailbox("inbox"))
    assert refused["type"] == "unknownMethod"


async def test_expunged_modseq_moves_only_when_a_message_leaves(client: Client) -> None:
    """QRESYNC's cheap "was anything expunged here since": flags and arrivals leave it,
    a move out or a destroy moves it to that change."""
    inbox, archive = await client.mailbox("inbox"), await client.mailbox("archive")
    _, fresh = await _listing(client, mailboxId=inbox)
    assert fresh["expungedModseq"] == 0
    first, second = await _import(client, 10), await _import(client, 11)
    await client.one("Email/set", update={first: {"keywords/$seen": True}})
    _, flagged = await _listing(client, mailboxId=inbox, sinceModseq=0)
    assert flagged["expungedModseq"] == 0

    await client.one("Email/set", update={first: {"mailboxIds": {archive: True}}})
    _, moved = await _listing(client, mailboxId=inbox)
    assert moved["expungedModseq"] == moved["highestModseq"] > flagged["highestModseq"]
    _, target = await _listing(client, mailboxId=archive)
    assert target["expungedModseq"] == 0  # arriving is not leaving

    await client.one("Email/set", destroy=[second])
    _, destroyed = await _listing(client, mailboxId=inbox, sinceModseq=moved["highestModseq"])
    assert destroyed["expungedModseq"] == destroyed["highestModseq"] > moved["highestModseq"]
