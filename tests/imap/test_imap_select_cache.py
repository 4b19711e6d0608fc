"""SELECT from a kept listing (compat/imap/listing_cache.py): a second connection's SELECT
applies only what changed since the first, and must still see exactly what JMAP sees."""

from __future__ import annotations

import asyncio
import re

from compat.imap.gateway import MailboxListing
from compat.imap.listing_cache import ListingCache, merged
from tests.imap.conftest import ImapServer
from tests.imap.test_imap_smoke import MESSAGE

# imaplib leaves "<n> (UID <uid> FLAGS (...))" of each "* <n> FETCH (...)".
_LINE = re.compile(rb"(\d+) \(UID (\d+) FLAGS \(([^)]*)\)\)")


def _listing(rows: list[tuple[int, str, str]], total: int, validity: int = 7) -> MailboxListing:
    return MailboxListing(
        uid_validity=validity,
        uid_next=max((r[0] for r in rows), default=0) + 1,
        highest_modseq=10,
        uids=[r[0] for r in rows],
        ids=[r[1] for r in rows],
        keywords=[frozenset(r[2].split()) for r in rows],
        modseqs=[1] * len(rows),
        removed=frozenset(),
        total=total,
    )


def test_merged_applies_changes_or_refuses() -> None:
    base = _listing([(1, "a", ""), (2, "b", ""), (3, "c", "")], 3)
    changes = MailboxListing(
        uid_validity=7, uid_next=6, highest_modseq=12, uids=[4, 5], ids=["a", "e"],
        keywords=[frozenset({"$seen"}), frozenset()], modseqs=[11, 12],
        removed=frozenset({"b"}), total=3,
    )  # fmt: skip
    got = merged(base, changes)
    assert got is not None
    assert list(got.rows) == [
        (3, "c", frozenset(), 1),
        (4, "a", frozenset({"$seen"}), 11),
        (5, "e", frozenset(), 12),
    ]
    assert (got.highest_modseq, got.uid_next, got.removed) == (12, 6, frozenset())
    # A difference that does not add up to the member count, or a new UIDVALIDITY: reread.
    assert merged(base, _listing([], 4)) is None
    assert merged(base, _listing([], 3, validity=8)) is None
    unchanged = merged(base, _listing([], 3))
    assert unchanged is not None and list(unchanged.ids) == ["a", "b", "c"]


def test_cache_is_bounded_by_members() -> None:
    cache = ListingCache(members=4)
    cache.put("acc", "m1", _listing([(1, "a", ""), (2, "b", "")], 2))
    cache.put("acc", "m2", _listing([(1, "c", ""), (2, "d", "")], 2))
    assert cache.get("acc", "m1") is not None  # now the most recently used
    cache.put("acc", "m3", _listing([(1, "e", "")], 1))
    assert cache.get("acc", "m2") is None and cache.get("acc", "m1") is not None
    cache.put("acc", "big", _listing([(i, str(i), "") for i in range(1, 6)], 5))
    assert cache.get("acc", "big") is None and cache.get("other", "m1") is None


def _select_and_list(
    server: ImapServer, changed_since: int | None = None
) -> tuple[int, dict[int, set[bytes]], int, list[bytes]]:
    """EXISTS, uid -> flags, HIGHESTMODSEQ, and the FETCH (CHANGEDSINCE) lines if asked."""
    client = server.signed_in()
    status, data = client.select("INBOX")
    assert status == "OK", data
    exists = int(data[0])
    [highest] = client.response("HIGHESTMODSEQ")[1]
    status, lines = client.uid("FETCH", "1:*", "(UID FLAGS)")
    assert status == "OK", lines
    changed: list[bytes] = []
    if changed_since is not None:
        status, changed = client.uid("FETCH", "1:*", f"(FLAGS) (CHANGEDSINCE {changed_since})")
        assert status == "OK", changed
    client.logout()
    listed = {}
    for number, line in enumerate(lines, 1):
        assert isinstance(line, bytes), line
        match = _LINE.fullmatch(line)
        assert match is not None and int(match[1]) == number, line
        listed[int(match[2])] = set(match[3].split())
    return exists, listed, int(highest), changed


async def test_second_select_sees_what_changed_since_the_first(imap_server: ImapServer) -> None:
    jmap = imap_server.jmap
    inbox, archive = await jmap.mailbox("inbox"), await jmap.mailbox("archive")
    ids = [
        str((await jmap.import_email(MESSAGE.replace(b"hello imap", f"cache {n}".encode())))["id"])
        for n in range(4)
    ]
    # The first SELECT fills the listing the listener keeps for all its connections.
    _, _, before, _ = await asyncio.to_thread(_select_and_list, imap_server)
    flagged, destroyed, bounced, _ = ids
    await jmap.one("Email/set", update={flagged: {"keywords/$flagged": True}})
    await jmap.one("Email/set", destroy=[destroyed])
    await jmap.one("Email/set", update={bounced: {"mailboxIds": {archive: True}}})
    await jmap.one("Email/set", update={bounced: {"mailboxIds": {inbox: True}}})
    arrived = str((await jmap.import_email(MESSAGE.replace(b"hello imap", b"cache new")))["id"])

    exists, listed, _, changed = await asyncio.to_thread(_select_and_list, imap_server, before)
    every = await jmap.one("Email/query", filter={"inMailbox": inbox})
    truth = await jmap.one("Email/get", ids=every["ids"], properties=["imapUids", "keywords"])
    expected = {
        int(e["imapUids"][inbox]): {
            {"$flagged": b"\\Flagged", "$seen": b"\\Seen"}.get(k, k.encode()) for k in e["keywords"]
        }
        for e in truth["list"]
    }
    assert exists == len(expected) == len(listed)
    assert listed == expected
    uid_of = {e["id"]: int(e["imapUids"][inbox]) for e in truth["list"]}
    assert destroyed not in uid_of and b"\\Flagged" in listed[uid_of[flagged]]
    assert uid_of[bounced] > uid_of[ids[3]] and uid_of[arrived] == max(listed)
    # CHANGEDSINCE (RFC 7162 3.1.4) answers from the session: only what changed, with MODSEQ.
    changed_uids = sorted(int(line.split(b"UID ")[1].split()[0]) for line in changed)
    assert changed_uids == sorted([uid_of[flagged], uid_of[bounced], uid_of[arrived]])
    assert all(b"MODSEQ (" in line for line in changed)
