"""SORT and THREAD over a real TLS socket with imaplib: the answers Sealbox gives, the
same commands on the same messages against a private Dovecot, answer for answer, and
the UID forms judging flags that JMAP changed a moment before."""

from __future__ import annotations

import asyncio
import imaplib
import ssl
from collections.abc import Iterator

import pytest
from support.dovecot import DovecotServer, dovecot_unavailable, running_dovecot
from support.imap_answers import flat

from .conftest import ImapServer

FOLDER = "SortCheck"
BASE = 1_780_444_800  # 3 June 2026: internal dates an hour apart, amid the Date headers


def _raw(
    subject: str,
    sender: str,
    *,
    to: str = "Alice <alice@example.org>",
    cc: str | None = None,
    date: str | None = None,
    message_id: str | None = None,
    references: str | None = None,
    in_reply_to: str | None = None,
    body: str = "text",
) -> bytes:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}"]
    lines += [f"Cc: {cc}"] if cc else []
    lines += [f"Date: {date}"] if date else []
    lines += [f"Message-ID: <{message_id}>"] if message_id else []
    lines += [f"References: {references}"] if references else []
    lines += [f"In-Reply-To: {in_reply_to}"] if in_reply_to else []
    return ("\r\n".join(lines) + f"\r\n\r\n{body}\r\n").encode()


# Replies, forwards, list tags, a missing parent, a duplicate and an absent Message-ID,
# dates in several zones and one with no Date at all (its internal date counts).
CORPUS = [
    _raw("Plans for Q3", "Carol <carol@c.example>", date="Mon, 1 Jun 2026 09:00:00 +0200",
         message_id="p1@c.example", cc="dave@d.example", body="x" * 300),
    _raw("Re: Plans for Q3", "bob@b.example", date="Mon, 1 Jun 2026 08:30:00 +0000",
         message_id="p2@b.example", references="<p1@c.example>"),
    _raw("[team] Re: Plans for Q3", "Zoe <zoe@z.example>", date="Tue, 2 Jun 2026 10:00:00 -0500",
         message_id="p3@z.example", references="<p1@c.example> <p2@b.example>", body="y" * 50),
    _raw("Lunch?", "alice@example.org", date="Mon, 1 Jun 2026 12:00:00 +0000",
         message_id="l1@example.org", to="Bob <bob@b.example>"),
    _raw("Fwd: Lunch? (fwd)", "Dave <dave@d.example>", message_id="l2@d.example"),
    _raw("Re: budget", "erin@e.example", date="Wed, 3 Jun 2026 07:00:00 +0100",
         message_id="b2@e.example", in_reply_to="<b0@lost.example>"),
    _raw("Re: budget", "frank@f.example", date="Wed, 3 Jun 2026 07:05:00 +0100",
         message_id="b3@f.example", references="<b0@lost.example>"),
    _raw("budget", "Gina <gina@g.example>", date="Thu, 4 Jun 2026 07:00:00 +0000",
         message_id="p1@c.example", cc="Carol <carol@c.example>", body="z" * 1000),
    _raw("[fwd: Plans for Q3]", "hank@h.example", date="Fri, 5 Jun 2026 07:00:00 +0000"),
    _raw("RE: re: LUNCH?", "Ivy <ivy@i.example>", date="Fri, 5 Jun 2026 07:00:00 +0000",
         message_id="l3@i.example", references="<l1@example.org>"),
]  # fmt: skip

COMMANDS = [
    ("SORT", "(SUBJECT)", "UTF-8", "ALL"),
    ("SORT", "(REVERSE DATE)", "UTF-8", "ALL"),
    ("SORT", "(DATE)", "US-ASCII", "ALL"),
    ("SORT", "(ARRIVAL)", "UTF-8", "ALL"),
    ("SORT", "(REVERSE ARRIVAL)", "UTF-8", "ALL"),
    ("SORT", "(FROM SUBJECT)", "UTF-8", "ALL"),
    ("SORT", "(TO REVERSE SIZE)", "UTF-8", "ALL"),
    ("SORT", "(CC DATE)", "UTF-8", "ALL"),
    ("SORT", "(SIZE)", "UTF-8", "ALL"),
    ("SORT", "(DISPLAYFROM)", "UTF-8", "ALL"),
    ("SORT", "(REVERSE SUBJECT REVERSE DATE)", "UTF-8", "SUBJECT", "plans"),
    ("SORT", "(SUBJECT)", "UTF-8", "NOT", "FROM", "bob"),
    ("THREAD", "ORDEREDSUBJECT", "UTF-8", "ALL"),
    ("THREAD", "REFERENCES", "UTF-8", "ALL"),
    ("THREAD", "REFERENCES", "UTF-8", "2:9"),
]


# A few answers as Dovecot 2.3 gives them for CORPUS, for machines without Dovecot.
KNOWN = {
    1: b"9 10 8 7 5 6 3 4 2 1",
    10: b"9 3 2 1",
    12: b"(1 (2)(3)(9))(4 (5)(10))(6 (7)(8))",
    13: b"(1 (2 3)(9))(4 (5)(10))((6)(7)(8))",
    14: b"(4 5)((6)(7)(8 2 3))(9)",
}


def _answer(client: imaplib.IMAP4, name: str, *args: str) -> bytes:
    if name.startswith("UID "):
        status, untagged = client.uid(name[4:], *args)
    else:  # imaplib's own IMAP4.sort and IMAP4.thread
        status, untagged = getattr(client, name.lower())(*args)
    assert status == "OK", (name, args, untagged)
    return untagged[-1] or b""


def _answers(client: imaplib.IMAP4) -> list[bytes]:
    return [_answer(client, name, *args) for name, *args in COMMANDS]


def _fill(client: imaplib.IMAP4, folder: str = FOLDER) -> None:
    assert client.create(folder)[0] == "OK"
    for index, raw in enumerate(CORPUS):
        date = imaplib.Time2Internaldate(BASE + 3600 * (len(CORPUS) - index))
        assert client.append(folder, None, date, raw)[0] == "OK"
    assert client.select(folder)[0] == "OK"


@pytest.fixture(scope="module")
def dovecot() -> Iterator[DovecotServer]:
    reason = dovecot_unavailable()
    if reason:
        print(f"\nskipping the side-by-side SORT/THREAD check: {reason}")
        pytest.skip(reason)
    with running_dovecot() as server:
        yield server


def _dovecot_answers(server: DovecotServer) -> list[bytes]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    client = imaplib.IMAP4_SSL("127.0.0.1", server.imaps_port, ssl_context=context)
    client.login(server.user, server.password)
    try:
        _fill(client)
        return _answers(client)
    finally:
        client.logout()


def _sealbox_answers(server: ImapServer, folder: str) -> list[bytes]:
    client = server.signed_in()
    try:
        capabilities = client.capability()[1][-1]
        for name in (b"SORT", b"SORT=DISPLAY", b"THREAD=REFERENCES", b"THREAD=ORDEREDSUBJECT"):
            assert name in capabilities.split()
        _fill(client, folder)
        return _answers(client)
    finally:
        client.logout()


async def test_sort_and_thread_answer_as_dovecot_does(
    imap_server: ImapServer, dovecot: DovecotServer
) -> None:
    ours = await asyncio.to_thread(_sealbox_answers, imap_server, FOLDER)
    theirs = await asyncio.to_thread(_dovecot_answers, dovecot)
    for command, mine, dovecots in zip(COMMANDS, ours, theirs, strict=True):
        assert mine == dovecots, (command, mine, dovecots)


def _sealbox_details(server: ImapServer) -> dict[str, object]:
    client = server.signed_in()
    try:
        assert client.create("SortUids")[0] == "OK"
        for raw in CORPUS[:3]:
            assert client.append("SortUids", None, None, raw)[0] == "OK"
        assert client.select("SortUids")[0] == "OK"
        uids = client.uid("SEARCH", "ALL")[1][0].split()
        assert client.store("1", "+FLAGS", "(\\Seen)")[0] == "OK"
        got: dict[str, object] = {"uids": uids}
        got["uid sort"] = _answer(client, "UID SORT", "(REVERSE DATE)", "UTF-8", "UNSEEN")
        got["uid thread"] = _answer(client, "UID THREAD", "REFERENCES", "UTF-8", "ALL")
        got["none"] = _answer(client, "SORT", "(DATE)", "UTF-8", "SUBJECT", "absent")
        tag = client._new_tag().decode()
        client.send(f"{tag} SORT (DATE) KOI8-R ALL\r\n".encode())
        got["badcharset"] = client.readline()
        tag = client._new_tag().decode()
        client.send(f"{tag} THREAD BRANCHES UTF-8 ALL\r\n".encode())
        got["unknown"] = client.readline()
        return got
    finally:
        client.logout()


async def test_sort_and_thread_answers(imap_server: ImapServer) -> None:
    ours = await asyncio.to_thread(_sealbox_answers, imap_server, "SortKnown")
    for index, answer in KNOWN.items():
        assert ours[index] == answer, COMMANDS[index]
    got = await asyncio.to_thread(_sealbox_details, imap_server)
    first, second, third = got["uids"]  # type: ignore[misc]
    # The first is seen now; the unseen two by date, newest first, as UIDs.
    assert got["uid sort"] == b" ".join([third, second])
    assert got["uid thread"] == b"(%s %s %s)" % (first, second, third)
    assert got["none"] == b""
    assert b" NO [BADCHARSET (US-ASCII UTF-8)] " in got["badcharset"]  # type: ignore[operator]
    assert b" BAD " in got["unknown"]  # type: ignore[operator]


async def test_uid_search_and_sort_see_flags_jmap_changed_since_the_last_command(
    imap_server: ImapServer,
) -> None:
    """The UID forms bring the session up to date first, then judge flags from it: a
    flag JMAP just set counts, and its FETCH comes before the answer (RFC 9051 7.4.1)."""
    client = await asyncio.to_thread(imap_server.signed_in)
    assert (await asyncio.to_thread(client.create, "FlagJudge"))[0] == "OK"
    for raw in CORPUS[:3]:
        await asyncio.to_thread(client.append, "FlagJudge", "(\\Seen)", None, raw)
    assert (await asyncio.to_thread(client.select, "FlagJudge"))[0] == "OK"
    uids = (await asyncio.to_thread(client.uid, "SEARCH", "ALL"))[1][0].split()
    boxes = await imap_server.jmap.one("Mailbox/get", ids=None, properties=["name"])
    mailbox = next(m["id"] for m in boxes["list"] if m["name"] == "FlagJudge")
    ids = (await imap_server.jmap.one("Email/query", filter={"inMailbox": mailbox}))["ids"]
    got = await imap_server.jmap.one("Email/get", ids=ids, properties=["imapUids"])
    second = next(e["id"] for e in got["list"] if str(e["imapUids"][mailbox]).encode() == uids[1])
    await imap_server.jmap.one("Email/set", update={second: {"keywords/$seen": None}})

    unseen = await asyncio.to_thread(client.uid, "SEARCH", "UNSEEN")
    assert unseen == ("OK", [uids[1]])
    assert f"UID {uids[1].decode()} FLAGS ()".encode() in flat(client.response("FETCH")[1])
    sorted_unseen = await asyncio.to_thread(client.uid, "SORT", "(DATE)", "UTF-8", "UNSEEN")
    assert sorted_unseen == ("OK", [uids[1]])
    await asyncio.to_thread(client.logout)
