"""Facts kept between commands stay true (compat/imap/sort_facts.py): one connection's
SORT, THREAD and SEARCH answers after JMAP imports, destroys and flag changes equal a
fresh connection's, which has nothing kept; a connection bounded below the mailbox's
size answers the same as one that keeps everything."""

from __future__ import annotations

import asyncio
import imaplib
from typing import Any

from support.jmap_client import Client

from compat.imap.gateway import JmapGateway
from compat.imap.sort_facts import FACT_PROPERTIES, FactCache

from .conftest import ImapServer
from .test_imap_sort import COMMANDS, CORPUS, _answer, _fill, _raw

FOLDER = "FactsKept"
# A subject that sorts first, and a reply into the "Plans for Q3" thread.
ARRIVALS = [
    _raw("Aardvarks", "Amy <amy@a.example>", date="Sat, 6 Jun 2026 07:00:00 +0000",
         message_id="a1@a.example"),
    _raw("Re: Plans for Q3", "Amy <amy@a.example>", date="Sat, 6 Jun 2026 08:00:00 +0000",
         message_id="p4@a.example", references="<p1@c.example> <p3@z.example>"),
]  # fmt: skip


def _uid_answers(client: imaplib.IMAP4) -> list[bytes]:
    return [_answer(client, f"UID {name}", *args) for name, *args in COMMANDS]


def _plain_answers(client: imaplib.IMAP4) -> list[bytes]:
    return [_answer(client, name, *args) for name, *args in COMMANDS]


def _fresh(server: ImapServer, answers: Any) -> list[bytes]:
    client = server.signed_in()
    try:
        assert client.select(FOLDER)[0] == "OK"
        return list(answers(client))
    finally:
        client.logout()


async def _ids_by_message_id(jmap: Client, mailbox_id: str) -> dict[str, str]:
    ids = (await jmap.one("Email/query", filter={"inMailbox": mailbox_id}))["ids"]
    got = await jmap.one("Email/get", ids=ids, properties=["messageId"])
    return {(e["messageId"] or ["none"])[0]: e["id"] for e in got["list"]}


async def _import(jmap: Client, mailbox_id: str, raws: list[bytes]) -> None:
    emails = {
        f"m{n}": {"blobId": await jmap.upload(raw), "mailboxIds": {mailbox_id: True}}
        for n, raw in enumerate(raws)
    }
    got = await jmap.one("Email/import", emails=emails)
    assert got["notCreated"] is None, got["notCreated"]


async def test_sort_and_thread_after_jmap_imports_and_destroys_in_the_same_session(
    imap_server: ImapServer,
) -> None:
    client = await asyncio.to_thread(imap_server.signed_in)
    await asyncio.to_thread(_fill, client, FOLDER)
    warm = await asyncio.to_thread(_uid_answers, client)  # every fact kept from here on
    assert warm == await asyncio.to_thread(_fresh, imap_server, _uid_answers)
    boxes = await imap_server.jmap.one("Mailbox/get", ids=None, properties=["name"])
    mailbox = next(m["id"] for m in boxes["list"] if m["name"] == FOLDER)
    by_message_id = await _ids_by_message_id(imap_server.jmap, mailbox)
    await _import(imap_server.jmap, mailbox, ARRIVALS)
    gone = by_message_id["p2@b.example"]
    gone_uid = (await imap_server.jmap.one("Email/get", ids=[gone], properties=["imapUids"]))[
        "list"
    ][0]["imapUids"][mailbox]
    await imap_server.jmap.one("Email/set", destroy=[gone])

    after = await asyncio.to_thread(_uid_answers, client)
    assert after == await asyncio.to_thread(_fresh, imap_server, _uid_answers)
    assert after != warm
    uids = (await asyncio.to_thread(client.uid, "SEARCH", "ALL"))[1][0].split()
    assert len(uids) == len(CORPUS) + len(ARRIVALS) - 1
    assert str(gone_uid).encode() not in uids
    by_subject = await asyncio.to_thread(_answer, client, "UID SORT", "(SUBJECT)", "UTF-8", "ALL")
    by_subject = by_subject.split()
    assert by_subject[0] == uids[-2]  # "Aardvarks"

    # Plain SORT may not announce the next destroy (RFC 9051 5.5) but leaves it out, and
    # numbers as the session does; after a NOOP the answers are a fresh session's again.
    before = await asyncio.to_thread(_answer, client, "SORT", "(ARRIVAL)", "UTF-8", "ALL")
    lunch = by_message_id["l1@example.org"]
    got = await imap_server.jmap.one("Email/get", ids=[lunch], properties=["imapUids"])
    seq = str(uids.index(str(got["list"][0]["imapUids"][mailbox]).encode()) + 1).encode()
    await imap_server.jmap.one("Email/set", destroy=[lunch])
    numbers = await asyncio.to_thread(_answer, client, "SORT", "(ARRIVAL)", "UTF-8", "ALL")
    assert numbers.split() == [n for n in before.split() if n != seq]
    assert len(numbers.split()) == len(uids) - 1
    assert (await asyncio.to_thread(client.noop))[0] == "OK"
    plain = await asyncio.to_thread(_plain_answers, client)
    assert plain == await asyncio.to_thread(_fresh, imap_server, _plain_answers)
    await asyncio.to_thread(client.logout)


async def test_plain_search_judges_flags_jmap_changed_without_announcing_them(
    imap_server: ImapServer,
) -> None:
    """SEARCH (not UID SEARCH) may not send EXPUNGE (5.5); it judges flags as they are
    now all the same, a keyword set and the last keyword taken away alike."""
    client = await asyncio.to_thread(imap_server.signed_in)
    assert (await asyncio.to_thread(client.create, "PlainFlags"))[0] == "OK"
    for raw in CORPUS[:3]:
        await asyncio.to_thread(client.append, "PlainFlags", "(\\Seen)", None, raw)
    assert (await asyncio.to_thread(client.select, "PlainFlags"))[0] == "OK"
    assert await asyncio.to_thread(client.search, None, "SEEN") == ("OK", [b"1 2 3"])
    boxes = await imap_server.jmap.one("Mailbox/get", ids=None, properties=["name"])
    mailbox = next(m["id"] for m in boxes["list"] if m["name"] == "PlainFlags")
    ids = (await imap_server.jmap.one("Email/query", filter={"inMailbox": mailbox}))["ids"]
    got = await imap_server.jmap.one("Email/get", ids=ids, properties=["imapUids"])
    first, second, third = sorted(got["list"], key=lambda e: int(e["imapUids"][mailbox]))
    await imap_server.jmap.one(
        "Email/set",
        update={second["id"]: {"keywords/$seen": None}, third["id"]: {"keywords/$flagged": True}},
    )
    await imap_server.jmap.one("Email/set", destroy=[first["id"]])

    assert await asyncio.to_thread(client.search, None, "SEEN") == ("OK", [b"3"])
    assert await asyncio.to_thread(client.search, None, "UNSEEN") == ("OK", [b"2"])
    assert await asyncio.to_thread(client.search, None, "FLAGGED") == ("OK", [b"3"])
    assert await asyncio.to_thread(client.search, None, "ALL") == ("OK", [b"2 3"])
    await asyncio.to_thread(client.logout)


async def test_kept_facts_answer_as_a_whole_read_does_under_any_bound(
    imap_server: ImapServer,
) -> None:
    """Above its bound the cache keeps only the asked-for members, or none; properties
    asked for later are read then; every answer holds what was asked."""
    client = await asyncio.to_thread(imap_server.signed_in)
    await asyncio.to_thread(_fill, client, "FactsBound")
    await asyncio.to_thread(client.logout)
    boxes = await imap_server.jmap.one("Mailbox/get", ids=None, properties=["name"])
    mailbox = next(m["id"] for m in boxes["list"] if m["name"] == "FactsBound")
    ids = (await imap_server.jmap.one("Email/query", filter={"inMailbox": mailbox}))["ids"]
    gateway = JmapGateway(imap_server.jmap.caller, imap_server.jmap.unlocked.account_id)
    whole = await FactCache().facts(gateway, ids, set(FACT_PROPERTIES))
    for limit in (4, 1000):
        cache = FactCache(limit=limit)
        for chosen, wanted in (
            (ids[:3], {"size"}),
            (ids, {"subject"}),
            (ids[3:6], {"size", "subject"}),
            (ids, {"sentAt", "size"}),
            (ids[:2], {"from", "references"}),
        ):
            got = await cache.facts(gateway, chosen, wanted)
            for email_id in chosen:
                shown = {p: got[email_id].email[p] for p in wanted}
                assert shown == {p: whole[email_id].email[p] for p in wanted}, limit


async def test_plain_search_of_a_mailbox_destroyed_elsewhere_finds_nothing(
    imap_server: ImapServer,
) -> None:
    client = await asyncio.to_thread(imap_server.signed_in)
    assert (await asyncio.to_thread(client.create, "GoneBox"))[0] == "OK"
    for raw in CORPUS[:2]:
        await asyncio.to_thread(client.append, "GoneBox", None, None, raw)
    assert (await asyncio.to_thread(client.select, "GoneBox"))[0] == "OK"
    boxes = await imap_server.jmap.one("Mailbox/get", ids=None, properties=["name"])
    mailbox = next(m["id"] for m in boxes["list"] if m["name"] == "GoneBox")
    got = await imap_server.jmap.one("Mailbox/set", destroy=[mailbox], onDestroyRemoveEmails=True)
    assert got["destroyed"] == [mailbox], got
    assert await asyncio.to_thread(client.search, None, "UNSEEN") == ("OK", [b""])
    await asyncio.to_thread(client.logout)
