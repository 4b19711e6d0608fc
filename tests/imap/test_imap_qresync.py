"""QRESYNC over a real TLS socket (RFC 7162 3.2): a client records HIGHESTMODSEQ, other
IMAP sessions and JMAP expunge, flag and deliver, and the client's next SELECT (QRESYNC
...), UID FETCH (CHANGEDSINCE m VANISHED) and unsolicited VANISHED say exactly that."""

from __future__ import annotations

import asyncio
import re

import aioimaplib
from support.jmap_client import USING

from api.jmap.capabilities import IMAP
from tests.imap.conftest import ImapServer
from tests.imap.test_imap_smoke import MESSAGE

_FETCH = re.compile(rb"^\* (\d+) FETCH \(UID (\d+) FLAGS \(([^)]*)\) MODSEQ \((\d+)\)\)$")


class Raw:
    """A signed-in imaplib client spoken to line by line: every response line, in order
    (imaplib has no QRESYNC, and sorting lines by kind would hide their order)."""

    def __init__(self, server: ImapServer) -> None:
        self.client = server.signed_in()
        self._count = 0

    def run(self, command: str) -> tuple[list[bytes], bytes]:
        """The untagged lines and the tagged completion (without its tag)."""
        self._count += 1
        tag = f"q{self._count}".encode()
        self.client.send(tag + b" " + command.encode() + b"\r\n")
        lines = []
        while True:
            line = self.client.readline().rstrip(b"\r\n")
            if line.startswith(tag + b" "):
                return lines, line[len(tag) + 1 :]
            lines.append(line)

    def ok(self, command: str) -> list[bytes]:
        lines, done = self.run(command)
        assert done.startswith(b"OK"), (command, lines, done)
        return lines

    def append(self, mailbox: str, count: int, label: str) -> None:
        for number in range(count):
            subject = f"{label} {number}".encode()
            message = MESSAGE.replace(b"hello imap", subject)
            status, data = self.client.append(mailbox, "", None, message)
            assert status == "OK", data

    def close(self) -> None:
        self.client.logout()


def _code(lines: list[bytes], name: bytes) -> int:
    [value] = [re.search(rb"\[" + name + rb" (\d+)\]", line) for line in lines if name in line]
    assert value is not None
    return int(value[1])


def _fetches(lines: list[bytes]) -> list[tuple[int, int, bytes, int]]:
    """(number, uid, flags, modseq) of each FETCH line, in order."""
    found = [_FETCH.match(line) for line in lines if b" FETCH " in line]
    assert all(found), lines
    return [(int(m[1]), int(m[2]), m[3], int(m[4])) for m in found if m]


def _vanished(lines: list[bytes]) -> list[bytes]:
    return [line for line in lines if line.startswith(b"* VANISHED")]


async def _uid_email(server: ImapServer, mailbox: str, uid: int) -> str:
    """The JMAP id of the message with `uid` in the mailbox of that name."""
    got = await server.jmap.one("Mailbox/get", ids=None, properties=["name"])
    mailbox_id = next(m["id"] for m in got["list"] if m["name"] == mailbox)
    call = ("Mailbox/imapListing", {"accountId": server.jmap.account_id, "mailboxId": mailbox_id})
    [(_, body, _)] = await server.jmap.caller.call([(*call, "l")], [*USING, IMAP])
    return str(body["emailIds"][body["uids"].index(uid)])


def _recorded(server: ImapServer, box: str, count: int, old_gap: bool) -> tuple[int, int]:
    """A new mailbox of `count` messages (UID 1 already expunged when `old_gap`); its
    UIDVALIDITY and HIGHESTMODSEQ as a client would record them."""
    raw = Raw(server)
    raw.ok(f"CREATE {box}")
    raw.append(box, count, box)
    raw.ok(f"SELECT {box}")
    if old_gap:
        raw.ok("UID STORE 1 +FLAGS.SILENT (\\Deleted)")
        raw.ok("UID EXPUNGE 1")
    lines = raw.ok(f"SELECT {box}")
    raw.close()
    return _code(lines, b"UIDVALIDITY"), _code(lines, b"HIGHESTMODSEQ")


async def test_reselect_reports_exactly_what_changed(imap_server: ImapServer) -> None:
    box = "QResync"
    validity, modseq = await asyncio.to_thread(_recorded, imap_server, box, 7, True)

    def change_by_imap() -> list[bytes]:
        other = Raw(imap_server)  # a session without QRESYNC: it still hears EXPUNGE
        other.ok(f"SELECT {box}")
        other.ok("UID STORE 3 +FLAGS.SILENT (\\Flagged)")
        other.ok("UID STORE 4,6 +FLAGS.SILENT (\\Deleted)")
        lines = other.ok("UID EXPUNGE 4,6")
        other.append(box, 1, "late")  # UID 8
        other.close()
        return lines

    expunged = await asyncio.to_thread(change_by_imap)
    assert expunged == [b"* 5 EXPUNGE", b"* 3 EXPUNGE"]
    # JMAP moves UID 7's message to the Inbox: it leaves this mailbox too.
    seventh = await _uid_email(imap_server, box, 7)
    inbox = await imap_server.jmap.mailbox("inbox")
    moved = await imap_server.jmap.one("Email/set", update={seventh: {"mailboxIds": {inbox: True}}})
    assert moved["notUpdated"] is None, moved

    def resync() -> dict[str, list[bytes]]:
        raw = Raw(imap_server)
        seen = {"enabled": raw.ok("ENABLE QRESYNC")}
        seen["plain"] = raw.ok(f"SELECT {box} (QRESYNC ({validity} {modseq}))")
        # Known UIDs 1:7 and the pairs (1,2) (2,3) (3,4): the first two still hold, so
        # nothing up to UID 3 went (not even 1); flag changes only of the known UIDs.
        seen["narrowed"] = raw.ok(f"EXAMINE {box} (QRESYNC ({validity} {modseq} 1:7 (1:3 2:4)))")
        seen["other validity"] = raw.ok(f"SELECT {box} (QRESYNC ({validity + 1} {modseq}))")
        highest = _code(seen["other validity"], b"HIGHESTMODSEQ")
        seen["up to date"] = raw.ok(f"SELECT {box} (QRESYNC ({validity} {highest}))")
        raw.close()
        return seen

    seen = await asyncio.to_thread(resync)
    assert seen["enabled"] == [b"* ENABLED QRESYNC"]
    plain = seen["plain"]
    # No known-uids: every UID below UIDNEXT not in the mailbox (3.2.5.2), the old gap
    # at 1 included; then the changed messages, the new one among them.
    assert _vanished(plain) == [b"* VANISHED (EARLIER) 1,4,6:7"]
    assert [(n, u, f) for n, u, f, _ in _fetches(plain)] == [(2, 3, b"\\Flagged"), (4, 8, b"")]
    assert all(m > modseq for *_, m in _fetches(plain))
    assert plain.index(_vanished(plain)[0]) < plain.index(next(x for x in plain if b"FETCH" in x))
    narrowed = seen["narrowed"]
    assert narrowed[0] == b"* OK [CLOSED] previous mailbox closed"
    assert _vanished(narrowed) == [b"* VANISHED (EARLIER) 4,6:7"]
    assert [(n, u) for n, u, *_ in _fetches(narrowed)] == [(2, 3)]
    for name in ("other validity", "up to date"):
        assert not _vanished(seen[name]) and not _fetches(seen[name]), seen[name]
        assert b"* 4 EXISTS" in seen[name]


async def test_no_vanished_when_nothing_left_since(imap_server: ImapServer) -> None:
    """Flags changed but nothing expunged after the client's modseq: no VANISHED, though
    the mailbox has an older gap (the mailbox's expunged_modseq says so)."""
    box = "QFlagsOnly"
    validity, modseq = await asyncio.to_thread(_recorded, imap_server, box, 3, True)
    second = await _uid_email(imap_server, box, 2)
    await imap_server.jmap.one("Email/set", update={second: {"keywords/$seen": True}})

    def resync() -> list[bytes]:
        raw = Raw(imap_server)
        raw.ok("ENABLE QRESYNC")
        lines = raw.ok(f"SELECT {box} (QRESYNC ({validity} {modseq}))")
        raw.close()
        return lines

    lines = await asyncio.to_thread(resync)
    assert not _vanished(lines), lines
    assert [(n, u, f) for n, u, f, _ in _fetches(lines)] == [(1, 2, b"\\Seen")]


async def test_uid_fetch_changedsince_vanished(imap_server: ImapServer) -> None:
    box = "QFetch"
    _, modseq = await asyncio.to_thread(_recorded, imap_server, box, 6, False)
    second, fifth, fourth = [await _uid_email(imap_server, box, uid) for uid in (2, 5, 4)]
    await imap_server.jmap.one("Email/set", destroy=[second, fifth])
    await imap_server.jmap.one("Email/set", update={fourth: {"keywords/$flagged": True}})

    def fetch() -> dict[str, list[bytes]]:
        raw = Raw(imap_server)
        raw.ok("ENABLE QRESYNC")
        highest = _code(raw.ok(f"SELECT {box}"), b"HIGHESTMODSEQ")
        seen = {
            "all": raw.ok(f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {modseq} VANISHED)"),
            "part": raw.ok(f"UID FETCH 3:6 (FLAGS) (CHANGEDSINCE {modseq} VANISHED)"),
            "now": raw.ok(f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {highest} VANISHED)"),
        }
        raw.close()
        return seen

    seen = await asyncio.to_thread(fetch)
    assert seen["all"][0] == b"* VANISHED (EARLIER) 2,5"
    assert [(n, u, f) for n, u, f, _ in _fetches(seen["all"])] == [(3, 4, b"\\Flagged")]
    assert seen["part"][0] == b"* VANISHED (EARLIER) 5"
    assert seen["now"] == []


async def test_expunges_are_vanished_once_enabled(imap_server: ImapServer) -> None:
    """Unsolicited (NOOP, IDLE) and command (EXPUNGE, MOVE) expunges go out as VANISHED
    with the UIDs; the EXPUNGE's tagged OK names the HIGHESTMODSEQ (3.2.7, 3.2.10)."""
    box = "QLive"
    await asyncio.to_thread(_recorded, imap_server, box, 5, False)
    loop = asyncio.get_running_loop()
    idling = asyncio.Event()
    raw = await asyncio.to_thread(Raw, imap_server)
    await asyncio.to_thread(raw.ok, "ENABLE QRESYNC")
    await asyncio.to_thread(raw.ok, f"SELECT {box}")

    def other_expunges() -> list[bytes]:
        other = Raw(imap_server)
        other.ok(f"SELECT {box}")
        other.ok("UID STORE 2,3 +FLAGS.SILENT (\\Deleted)")
        lines = other.ok("EXPUNGE")
        other.close()
        return lines

    assert await asyncio.to_thread(other_expunges) == [b"* 3 EXPUNGE", b"* 2 EXPUNGE"]
    noop = await asyncio.to_thread(raw.ok, "NOOP")
    assert _vanished(noop) == [b"* VANISHED 2:3"] and not [x for x in noop if b"EXPUNGE" in x]

    def idle() -> bytes:
        raw.client.send(b"i1 IDLE\r\n")
        assert raw.client.readline().startswith(b"+")
        loop.call_soon_threadsafe(idling.set)
        line = raw.client.readline().rstrip(b"\r\n")
        raw.client.send(b"DONE\r\n")
        while not raw.client.readline().startswith(b"i1 OK"):
            pass
        return line

    task = asyncio.ensure_future(asyncio.to_thread(idle))
    await idling.wait()
    await asyncio.sleep(0.05)
    await imap_server.jmap.one("Email/set", destroy=[await _uid_email(imap_server, box, 4)])
    assert await asyncio.wait_for(task, 20) == b"* VANISHED 4"

    # 3.2.4: with QRESYNC every FETCH response carries the UID, a STORE's too.
    stored = await asyncio.to_thread(raw.ok, "STORE 1 +FLAGS.SILENT (\\Deleted)")
    assert [re.sub(rb"MODSEQ \(\d+\)", b"MODSEQ", x) for x in stored] == [
        b"* 1 FETCH (UID 1 MODSEQ)"
    ]
    assert (await asyncio.to_thread(raw.ok, "FETCH 1 (FLAGS)"))[0].startswith(b"* 1 FETCH (UID 1 ")
    lines, done = await asyncio.to_thread(raw.run, "EXPUNGE")
    assert lines == [b"* VANISHED 1"]
    got = await imap_server.jmap.one("Mailbox/get", ids=None, properties=["name", "highestModseq"])
    highest = next(m["highestModseq"] for m in got["list"] if m["name"] == box)
    assert done == f"OK [HIGHESTMODSEQ {highest}] expunged".encode()
    moved, done = await asyncio.to_thread(raw.run, "UID MOVE 5 INBOX")
    assert moved[0].startswith(b"* OK [COPYUID ") and moved[1:] == [b"* VANISHED 5"]
    assert re.fullmatch(rb"OK \[HIGHESTMODSEQ \d+\] moved", done), done
    await asyncio.to_thread(raw.close)


async def test_qresync_errors_and_capability(imap_server: ImapServer) -> None:
    def run() -> dict[str, bytes]:
        raw = Raw(imap_server)
        [capability] = raw.ok("CAPABILITY")
        assert b" QRESYNC" in capability and b" CONDSTORE" in capability
        results = {"capability": capability}
        # 3.2.5: QRESYNC parameters before ENABLE QRESYNC are a client error.
        results["select"] = raw.run("SELECT INBOX (QRESYNC (1 1))")[1]
        raw.ok("SELECT INBOX")
        results["vanished"] = raw.run("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")[1]
        results["seq fetch"] = raw.run("FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")[1]
        results["no since"] = raw.run("UID FETCH 1:* (FLAGS) (VANISHED)")[1]
        raw.ok("ENABLE QRESYNC")
        results["pairs"] = raw.run("SELECT INBOX (QRESYNC (1 1 1:5 (1:2 3)))")[1]
        results["star"] = raw.run("SELECT INBOX (QRESYNC (1 1 1:*))")[1]
        results["noop"] = raw.run("NOOP")[1]
        raw.close()
        return results

    results = await asyncio.to_thread(run)
    for name in ("select", "vanished", "seq fetch", "no since", "pairs", "star"):
        assert results[name].startswith(b"BAD "), (name, results[name])
    assert results["noop"].startswith(b"OK")


async def test_close_is_silent_and_the_next_resync_reports_it(imap_server: ImapServer) -> None:
    box = "QClose"
    validity, modseq = await asyncio.to_thread(_recorded, imap_server, box, 4, False)

    def run() -> tuple[tuple[list[bytes], bytes], list[bytes], list[bytes]]:
        raw = Raw(imap_server)
        raw.ok("ENABLE QRESYNC")
        raw.ok(f"SELECT {box}")
        raw.ok("UID STORE 1:3 +FLAGS.SILENT (\\Deleted)")
        expunged = raw.run("UID EXPUNGE 1")
        closed = raw.ok("CLOSE")  # 6.4.1: expunges, and says nothing of it
        again = raw.ok(f"SELECT {box} (QRESYNC ({validity} {modseq}))")
        raw.close()
        return expunged, closed, again

    (lines, done), closed, again = await asyncio.to_thread(run)
    assert lines == [b"* VANISHED 1"] and re.fullmatch(rb"OK \[HIGHESTMODSEQ \d+\] expunged", done)
    assert closed == []
    assert _vanished(again) == [b"* VANISHED (EARLIER) 1:3"] and not _fetches(again)


async def test_aioimaplib_resyncs_and_hears_vanished_while_idle(imap_server: ImapServer) -> None:
    """aioimaplib (asyncio, the server's own loop): QRESYNC SELECT, then IDLE pushes."""
    box = "QAio"
    validity, modseq = await asyncio.to_thread(_recorded, imap_server, box, 3, False)
    await imap_server.jmap.one("Email/set", destroy=[await _uid_email(imap_server, box, 2)])
    client = aioimaplib.IMAP4_SSL(
        "127.0.0.1", imap_server.tls_port, ssl_context=imap_server.client_context()
    )
    await client.wait_hello_from_server()
    assert (await client.login(imap_server.address, imap_server.app_password)).result == "OK"
    enabled = await client.enable("QRESYNC")
    assert enabled.result == "OK" and b"ENABLED QRESYNC" in enabled.lines
    # aioimaplib's select sends its argument as written: the parameters ride along.
    selected = await client.select(f"{box} (QRESYNC ({validity} {modseq}))")
    assert selected.result == "OK", selected
    assert b"VANISHED (EARLIER) 2" in selected.lines

    idle = await client.idle_start(timeout=10)
    await asyncio.sleep(0.05)
    await imap_server.jmap.one("Email/set", destroy=[await _uid_email(imap_server, box, 3)])
    pushed = await client.wait_server_push(timeout=10)
    client.idle_done()
    assert (await asyncio.wait_for(idle, 10)).result == "OK"
    assert b"VANISHED 3" in pushed and not [x for x in pushed if b"EXPUNGE" in x], pushed
    await client.logout()
