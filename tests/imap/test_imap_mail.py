"""Mail verbs through imaplib over implicit TLS, each checked against JMAP in process."""

from __future__ import annotations

import asyncio
import imaplib
import re
import time

from support.imap_answers import flat

from tests.imap.conftest import ImapServer
from tests.imap.test_imap_smoke import MESSAGE

MULTIPART = (
    b"From: Carol <carol@example.net>\r\nTo: alice@example.org\r\nSubject: parts\r\n"
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="xx"\r\n\r\n'
    b"--xx\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nfirst part\r\n"
    b"--xx\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
    b"\r\naGVsbG8gYmluYXJ5\r\n--xx--\r\n"
)


def _ok(result: tuple[str, list]) -> list:
    status, data = result
    assert status == "OK", data
    return data


async def test_list_has_special_use(imap_server: ImapServer) -> None:
    def run() -> list[bytes]:
        client = imap_server.signed_in()
        data = _ok(client.list('""', "*"))
        client.logout()
        return data

    lines = await asyncio.to_thread(run)
    text = b"\n".join(lines)
    assert b'"INBOX"' in text or b" INBOX" in text
    assert b"\\Sent" in text and b"\\Trash" in text


async def test_append_fetch_store_search_and_jmap_sees_it(imap_server: ImapServer) -> None:
    def run() -> dict[str, object]:
        client = imap_server.signed_in()
        appended = client.append(
            "INBOX", "(\\Flagged)", imaplib.Time2Internaldate(time.time()), MESSAGE
        )
        _ok(appended)
        code = re.search(rb"APPENDUID (\d+) (\d+)", appended[1][0])
        assert code is not None
        uid = code[2].decode()
        _ok(client.select("INBOX"))
        fetched = _ok(client.uid("FETCH", uid, "(UID FLAGS RFC822.SIZE BODY.PEEK[] ENVELOPE)"))
        _ok(client.uid("STORE", uid, "+FLAGS", "(\\Seen work)"))
        flags = _ok(client.uid("FETCH", uid, "(FLAGS)"))
        found = _ok(client.uid("SEARCH", None, "FROM", "bob", "FLAGGED"))
        none = _ok(client.uid("SEARCH", None, "UNSEEN", "UID", uid))
        header = _ok(client.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
        client.logout()
        return {
            "uid": uid,
            "fetched": fetched,
            "flags": flags,
            "found": found,
            "none": none,
            "header": header,
        }

    got = await asyncio.to_thread(run)
    fetched = got["fetched"]
    assert isinstance(fetched, list) and fetched[0][1] == MESSAGE
    assert b"ENVELOPE" in flat(fetched) and b'"hello imap"' in flat(fetched)
    flags = flat(got["flags"])
    assert b"\\Seen" in flags and b"\\Flagged" in flags and b"work" in flags
    assert got["uid"].encode() in got["found"][0].split()  # type: ignore[index,union-attr]
    assert got["none"] == [b""]
    assert got["header"][0][1].strip() == b"Subject: hello imap"  # type: ignore[index]
    # Cross-protocol: JMAP sees the appended message with the flags set by IMAP.
    inbox = await imap_server.jmap.mailbox("inbox")
    ids = (
        await imap_server.jmap.one(
            "Email/query", filter={"inMailbox": inbox, "subject": "hello imap"}
        )
    )["ids"]
    [email] = (
        await imap_server.jmap.one("Email/get", ids=ids, properties=["keywords", "imapUids"])
    )["list"]
    assert email["keywords"] == {"$flagged": True, "$seen": True, "work": True}
    assert str(email["imapUids"][inbox]) == got["uid"]


async def test_jmap_flags_show_in_imap_fetch(imap_server: ImapServer) -> None:
    created = await imap_server.jmap.import_email(MULTIPART)

    def select_and_fetch(uid_hint: str | None = None) -> tuple[list, list]:
        client = imap_server.signed_in()
        _ok(client.select("INBOX"))
        uids = _ok(client.uid("SEARCH", None, "SUBJECT", "parts"))[0].split()
        data = _ok(
            client.uid(
                "FETCH", uids[-1].decode(), "(FLAGS BODYSTRUCTURE BODY.PEEK[1] BINARY.PEEK[2])"
            )
        )
        client.logout()
        return uids, data

    await imap_server.jmap.one("Email/set", update={created["id"]: {"keywords/$answered": True}})
    _, data = await asyncio.to_thread(select_and_fetch)
    head = flat(data)
    assert b"\\Answered" in head
    assert b'BODYSTRUCTURE (("TEXT" "PLAIN"' in head
    assert data[0][1] == b"first part"
    assert data[1][1] == b"hello binary"


async def test_copy_move_expunge_across_mailboxes(imap_server: ImapServer) -> None:
    await imap_server.jmap.import_email(MESSAGE.replace(b"hello imap", b"to move"))

    def run() -> dict[str, object]:
        client = imap_server.signed_in()
        _ok(client.create("Projects/2026"))
        _ok(client.select("INBOX"))
        [uid] = _ok(client.uid("SEARCH", None, "SUBJECT", '"to move"'))[0].split()
        copied = _ok(client.uid("COPY", uid.decode(), "Projects/2026"))
        status = _ok(client.status("Projects/2026", "(MESSAGES UIDNEXT)"))
        moved = client.uid("MOVE", uid.decode(), "Trash")
        _ok(moved)
        after = _ok(client.uid("SEARCH", None, "SUBJECT", '"to move"'))
        _ok(client.select("Projects/2026"))
        _ok(client.store("1", "+FLAGS", "(\\Deleted)"))
        expunged = client.expunge()
        client.logout()
        return {"copied": copied, "status": status, "after": after, "expunged": expunged}

    got = await asyncio.to_thread(run)
    assert b"MESSAGES 1" in got["status"][0]  # type: ignore[index]
    assert got["after"] == [b""]
    assert got["expunged"][1] == [b"1"]  # type: ignore[index]
    # In Trash still (it left only Projects/2026 by EXPUNGE).
    trash = await imap_server.jmap.mailbox("trash")
    ids = (
        await imap_server.jmap.one("Email/query", filter={"inMailbox": trash, "subject": "to move"})
    )["ids"]
    assert len(ids) == 1


async def test_idle_wakes_on_jmap_import(imap_server: ImapServer) -> None:
    loop = asyncio.get_running_loop()
    ready = asyncio.Event()

    def idle() -> tuple[bytes, float]:
        client = imap_server.signed_in()
        _ok(client.select("INBOX"))
        tag = client._new_tag()  # imaplib has no IDLE; speak it by hand
        client.send(tag + b" IDLE\r\n")
        assert client.readline().startswith(b"+")
        loop.call_soon_threadsafe(ready.set)
        line = client.readline()
        woke = time.perf_counter()
        client.send(b"DONE\r\n")
        while not client.readline().startswith(tag):
            pass
        client.logout()
        return line, woke

    task = asyncio.ensure_future(asyncio.to_thread(idle))
    await ready.wait()
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    await imap_server.jmap.import_email(MESSAGE.replace(b"hello imap", b"idle wake"))
    line, woke = await asyncio.wait_for(task, 20)
    latency_ms = (woke - started) * 1000
    print(f"\nIMAP IDLE woke {latency_ms:.1f} ms after the JMAP import began")
    assert re.match(rb"\* \d+ EXISTS", line), line
    assert latency_ms < 5000


async def test_search_text_body_and_header_use_the_index(imap_server: ImapServer) -> None:
    def run() -> dict[str, list[bytes]]:
        client = imap_server.signed_in()
        _ok(client.append("INBOX", None, imaplib.Time2Internaldate(time.time()), MULTIPART))
        _ok(client.select("INBOX"))
        found = {
            "body": _ok(client.uid("SEARCH", None, "BODY", "first"))[0].split(),
            "text": _ok(client.uid("SEARCH", None, "TEXT", "carol"))[0].split(),
            "header": _ok(client.uid("SEARCH", None, "HEADER", "Content-Type", "multipart"))[
                0
            ].split(),
            "none": _ok(client.uid("SEARCH", None, "BODY", "nowhereword"))[0].split(),
        }
        client.logout()
        return found

    found = await asyncio.to_thread(run)
    assert found["body"] and found["body"] == found["text"] == found["header"]
    assert found["none"] == []


async def test_a_selected_session_follows_jmap_changes(imap_server: ImapServer) -> None:
    """Flags, removals and arrivals made by JMAP reach a session that stays selected:
    FETCH FLAGS reads the changes since its listing, NOOP reports FETCH/EXPUNGE/EXISTS."""
    first = await imap_server.jmap.import_email(MESSAGE.replace(b"hello imap", b"follow 1"))
    second = await imap_server.jmap.import_email(MESSAGE.replace(b"hello imap", b"follow 2"))
    client = await asyncio.to_thread(imap_server.signed_in)
    exists = int(_ok(await asyncio.to_thread(client.select, "INBOX"))[0])
    inbox = await imap_server.jmap.mailbox("inbox")
    uids = await imap_server.jmap.one(
        "Email/get", ids=[first["id"], second["id"]], properties=["imapUids"]
    )
    first_uid, second_uid = (str(e["imapUids"][inbox]) for e in uids["list"])

    await imap_server.jmap.one("Email/set", update={first["id"]: {"keywords/$flagged": True}})
    flags = flat(_ok(await asyncio.to_thread(client.uid, "FETCH", first_uid, "(FLAGS)")))
    assert b"\\Flagged" in flags

    await imap_server.jmap.one("Email/set", update={second["id"]: {"keywords/$answered": True}})
    await imap_server.jmap.one("Email/set", destroy=[first["id"]])
    third = await imap_server.jmap.import_email(MESSAGE.replace(b"hello imap", b"follow 3"))
    _ok(await asyncio.to_thread(client.noop))
    assert client.response("EXPUNGE")[1] == [str(exists - 1).encode()]
    fetched = flat(client.response("FETCH")[1])
    assert f"UID {second_uid} FLAGS (\\Answered)".encode() in fetched
    assert client.response("EXISTS")[1][-1] == str(exists).encode()
    got = flat(_ok(await asyncio.to_thread(client.uid, "FETCH", "*", "(UID FLAGS)")))
    imported = await imap_server.jmap.one("Email/get", ids=[third["id"]], properties=["imapUids"])
    assert f"UID {imported['list'][0]['imapUids'][inbox]} ".encode() in got
    await asyncio.to_thread(client.logout)


async def test_a_flag_change_read_by_a_plain_fetch_is_still_announced(
    imap_server: ImapServer,
) -> None:
    """A plain FETCH that does not ask for FLAGS still learns of a flag set elsewhere (to
    leave out messages gone since); the session must announce the change at its next
    update point, not take it as already told (RFC 9051 7.5.2)."""
    raw = MESSAGE.replace(b"hello imap", b"flag told later")
    created = await imap_server.jmap.import_email(raw)
    client = await asyncio.to_thread(imap_server.signed_in)
    _ok(await asyncio.to_thread(client.select, "INBOX"))
    inbox = await imap_server.jmap.mailbox("inbox")
    got = await imap_server.jmap.one("Email/get", ids=[created["id"]], properties=["imapUids"])
    uid = got["list"][0]["imapUids"][inbox]
    seq = (await asyncio.to_thread(client.search, None, "UID", str(uid)))[1][0].decode()
    assert seq

    await imap_server.jmap.one("Email/set", update={created["id"]: {"keywords/$flagged": True}})
    _ok(await asyncio.to_thread(client.fetch, seq, "(UID)"))
    _ok(await asyncio.to_thread(client.noop))
    told = flat(client.response("FETCH")[1])
    assert f"UID {uid} FLAGS (\\Flagged)".encode() in told, told
    await asyncio.to_thread(client.logout)
