"""Mail at scale: 100,000 messages in one Inbox on SQLite, and the hot JMAP calls over it.

Run with `make bench` (not collected by pytest). Seeds real services on a temporary
SQLite data directory: a few hundred messages of varied sizes (1 KB to 200 KB, some
with attachments) go through EmailIngest as any import would, then the rest are their
copies, bulk-inserted through the store in large transactions, each with its own id,
sealed summary, UID, keywords and thread. Then prints medians of, in process:
(a) Email/query (inMailbox, receivedAt desc, limit 50) + Email/get of those 50 with
    list properties, one request with a `#ids` result reference   (target < 10 ms)
(b) Email/changes from a state 1,000 changes old                  (target < 20 ms)
(c) Email/import of a 50 KB message including its encryption: upload (seal, fsync blob
    and directory, commit the row) + Email/import (commit)         (target < 5 ms);
    beside it the import alone (upload not timed) and a delivery (SMTP's path: seal,
    fsync blob and directory, one commit; 250 may follow)
(d) Email/get of one message, default properties with bodyValues  (reference 1.5 ms)
Each timed call runs as an HTTP request would: a fresh UnlockedAccount from the account
row (as sign-in builds it), so nothing unlocked is carried from one call to the next.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.jmap_client import Client
from support.services import PASSWORD, create_account, unlock

from api.config import load_settings
from api.core.email_summary import open_summary, seal_summary
from api.core.ingest import IncomingEmail
from api.core.keywords import keywords_to_stored
from api.core.unlocked import UnlockedAccount
from api.services import Services, build_services
from api.store.changes import CREATED, UPDATED
from api.store.ids import AccountId, new_id
from api.store.records import AccountRecord, EmailRecord
from crypto.master_key import SUBKEY_SUMMARIES

MESSAGES = 100_000
TEMPLATES = 300
BATCH = 10_000
BASE = 1_700_000_000
LIST_PROPERTIES = [
    "id", "threadId", "mailboxIds", "keywords", "receivedAt", "subject", "from", "preview",
    "size",
]  # fmt: skip
WORDS = ["the", "quarterly", "report", "lunch", "meeting", "invoice", "travel", "budget", "notes"]


def _message(rng: random.Random, index: int, body_size: int, attachment: bool) -> bytes:
    words = " ".join(rng.choice(WORDS) for _ in range(6))
    text = (" ".join(rng.choice(WORDS) for _ in range(body_size // 6 + 1)))[:body_size]
    lines = "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    head = (
        f"From: Sender {index} <sender{index % 97}@example.net>\r\n"
        f"To: Bench <bench@example.org>\r\nSubject: {words} {index}\r\n"
        f"Date: Tue, 01 Dec 2026 09:30:00 +0100\r\nMessage-ID: <t{index}@bench>\r\n"
        "MIME-Version: 1.0\r\n"
    )
    if not attachment:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + lines + "\r\n").encode()
    blob = os.urandom(body_size // 2).hex()
    wrapped = "\r\n".join(blob[i : i + 76] for i in range(0, len(blob), 76))
    return (
        head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        "Content-Type: text/plain\r\n\r\n" + lines[:2000] + "\r\n--b\r\n"
        'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="x"'
        "\r\n\r\n" + wrapped + "\r\n--b--\r\n"
    ).encode()


def _body_size(rng: random.Random) -> int:
    # Mostly small, a long tail: median ~4 KB, a few near 200 KB.
    return min(200_000, max(200, int(rng.lognormvariate(8.3, 1.2))))


async def seed(client: Client, inbox: str, rng: random.Random, messages: int = MESSAGES) -> None:
    """TEMPLATES messages through EmailIngest, then copies of them bulk-inserted through
    the store, BATCH a transaction, up to `messages` in `inbox`."""
    services, unlocked = client.services, client.unlocked
    account_id = unlocked.account_id
    incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=BASE)
    templates = []
    for i in range(TEMPLATES):
        raw = _message(rng, i, _body_size(rng), attachment=rng.random() < 0.15)
        templates.append(await services.emails.ingest.import_raw(unlocked, raw, incoming))
    key = unlocked.master_key.subkey(SUBKEY_SUMMARIES)
    summaries = [open_summary(key, account_id, t.id, t.summary_sealed) for t in templates]
    async with services.store.transaction() as tx:
        [box] = [m for m in await tx.mailboxes.list(account_id) if m.id == inbox]
    uid, thread = box.uid_next, new_id("t")
    for start in range(0, messages - TEMPLATES, BATCH):
        records = []
        for i in range(start, min(start + BATCH, messages - TEMPLATES)):
            template = templates[i % TEMPLATES]
            if rng.random() < 0.4:  # threads of ~2.5 messages
                thread = new_id("t")
            email_id = new_id("e")
            summary = msgspec.structs.replace(summaries[i % TEMPLATES], subject=f"Copy {i}")
            keywords = ["$seen"] if rng.random() < 0.8 else []
            flags, custom = keywords_to_stored(keywords + (["work"] if i % 7 == 0 else []))
            records.append(
                EmailRecord(
                    id=email_id,
                    account_id=AccountId(account_id),
                    blob_id=template.blob_id,
                    thread_id=thread,
                    size=template.size,
                    received_at=BASE + 60 + i * 60 + rng.randrange(60),
                    sent_at=template.sent_at,
                    flags=flags,
                    custom_keywords=custom,
                    summary_sealed=seal_summary(unlocked.master_key, account_id, email_id, summary),
                    pending=False,
                    modseq=0,
                    mailboxes={inbox: uid},
                )
            )
            uid += 1
        async with services.store.transaction() as tx:
            modseq = await tx.changes.next_modseq(AccountId(account_id))
            await tx.emails.add_many([msgspec.structs.replace(r, modseq=modseq) for r in records])
            await tx.changes.record(
                AccountId(account_id), modseq, "Email", [(r.id, CREATED) for r in records]
            )
            await tx.mailboxes.update(AccountId(account_id), inbox, uid_next=uid)


async def change_keywords(client: Client, email_ids: list[str]) -> None:
    """One change per email, as Email/set of one keyword would log it."""
    account_id = AccountId(client.account_id)
    for email_id in email_ids:
        async with client.services.store.transaction() as tx:
            modseq = await tx.changes.next_modseq(account_id)
            await tx.emails.update(account_id, email_id, flags=3, modseq=modseq)
            await tx.changes.record(account_id, modseq, "Email", [(email_id, UPDATED)])


async def median_ms(
    call: Callable[[], Awaitable[Any]],
    runs: int,
    prepare: Callable[[], Awaitable[Any]] | None = None,
) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        argument = await prepare() if prepare else None
        started = time.perf_counter()
        await (call(argument) if prepare else call())  # type: ignore[call-arg]
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), min(timings)


def _report(label: str, figures: tuple[float, float], target: float | None) -> None:
    median, best = figures
    if target is None:
        print(f"{label:58} {median:7.2f} ms median {best:7.2f} best")
        return
    verdict = "ok" if median < target else "MISSED"
    print(f"{label:58} {median:7.2f} ms median {best:7.2f} best  (target {target} ms: {verdict})")


def request_client(client: Client, account: AccountRecord) -> Client:
    """What one HTTP request gets: a new UnlockedAccount built from the row sign-in read."""
    unlocked = UnlockedAccount(
        account.id, account.address, client.unlocked.master_key, account.wrapped_private_key
    )
    return Client(client.services, unlocked)


async def measure(client: Client, account: AccountRecord, inbox: str, rng: random.Random) -> None:
    page_request = [
        (
            "Email/query",
            {
                "accountId": client.account_id,
                "filter": {"inMailbox": inbox},
                "sort": [{"property": "receivedAt", "isAscending": False}],
                "limit": 50,
            },
            "q",
        ),
        (
            "Email/get",
            {
                "accountId": client.account_id,
                "#ids": {"resultOf": "q", "name": "Email/query", "path": "/ids"},
                "properties": LIST_PROPERTIES,
            },
            "g",
        ),
    ]
    using = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]

    async def page() -> None:
        [_, (_, got, _)] = await client.caller.call(page_request, using)
        assert len(got["list"]) == 50, got

    _report("(a) Email/query inbox limit 50 + Email/get #ids", await median_ms(page, 300), 10)
    newest = (await client.one("Email/query", filter={"inMailbox": inbox}, limit=2000))["ids"]
    state = (await client.one("Email/get", ids=[]))["state"]
    await change_keywords(client, newest[:1000])

    async def changes() -> None:
        got = await client.one("Email/changes", sinceState=state)
        assert len(got["updated"]) == 1000

    _report("(b) Email/changes from a state 1,000 changes old", await median_ms(changes, 100), 20)
    fifty_kb = _message(rng, 10**6, 50_000, attachment=False)

    async def upload() -> str:
        return await client.upload(fifty_kb)

    async def import_one(blob_id: str) -> None:
        got = await request_client(client, account).one(
            "Email/import", emails={"n": {"blobId": blob_id, "mailboxIds": {inbox: True}}}
        )
        assert got["created"], got

    async def upload_and_import() -> None:
        await import_one(await upload())

    async def deliver() -> None:
        incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=BASE)
        await client.services.emails.ingest.deliver(AccountId(account.id), fifty_kb, incoming)

    _report(
        "(c) upload + Email/import of 50 KB (encryption included)",
        await median_ms(upload_and_import, 60),
        5,
    )
    _report(
        "    Email/import alone (upload not timed)", await median_ms(import_one, 60, upload), None
    )
    _report("    delivery of 50 KB (seal, blob + row durable)", await median_ms(deliver, 60), None)
    # Settle the deliveries now, so that (d) times a read with nothing pending.
    await client.services.emails.ingest.catch_up(client.unlocked)
    one = newest[500]

    async def full() -> None:
        got = await request_client(client, account).one(
            "Email/get", ids=[one], fetchAllBodyValues=True
        )
        assert got["list"][0]["bodyValues"]

    _report(
        "(d) Email/get one message, default properties + bodyValues",
        await median_ms(full, 200),
        1.5,
    )


def _tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


async def main() -> None:
    rng = random.Random(8621)
    with tempfile.TemporaryDirectory() as scratch:
        settings = load_settings(
            None,
            {"data_dir": scratch, "argon2_time_cost": 1, "argon2_memory_kib": 8192},
            environ={},
        )
        services: Services = build_services(settings)
        await services.store.migrate()
        created = await create_account(services, "bench@example.org")
        master_key = await unlock(services, created.account.id, PASSWORD)
        assert master_key is not None
        unlocked = UnlockedAccount(created.account.id, created.account.address, master_key)
        client = Client(services, unlocked)
        inbox = await client.mailbox("inbox")
        started = time.perf_counter()
        await seed(client, inbox, rng)
        seconds = time.perf_counter() - started
        size = await asyncio.to_thread(_tree_size, Path(scratch))
        print(
            f"{MESSAGES:,} messages in one Inbox, seeded in {seconds:.1f} s; data dir "
            f"{size / 1e6:.0f} MB; SQLite; {os.cpu_count()} CPUs"
        )
        await measure(client, created.account, inbox, rng)
        await services.close()


if __name__ == "__main__":
    asyncio.run(main())
