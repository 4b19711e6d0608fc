"""IMAP at scale: 16,000 messages in one Inbox on SQLite, timed through a real TLS client.

Run with `make bench` (not collected by pytest). Seeds like bench_email.py (a few hundred
messages through EmailIngest, the rest bulk-inserted copies with their own ids, sealed
summaries, UIDs and keywords), starts the IMAP listeners in process and prints medians of:
(a) SELECT INBOX
(b) UID FETCH 1:* (UID FLAGS)
(c) UID FETCH of the newest 100 messages, BODY.PEEK[] (decryption included)
(d) IDLE: time from a delivery (the SMTP path: EmailIngest.deliver) to `* n EXISTS`
Issue 5 quotes Dovecot on the same kind of machine: SELECT 2-20 ms, (b) 12 ms, (c) 2.5 ms,
IDLE ~500 ms (Cyrus < 100 ms). Figures are printed, never asserted.
"""

from __future__ import annotations

import asyncio
import os
import random
import ssl
import statistics
import sys
import tempfile
import time
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_email import _body_size, _message
from support.environment import free_port
from support.jmap_client import Client
from support.services import PASSWORD, create_account, unlock

from api.config import load_settings
from api.core.clock import now
from api.core.email_summary import open_summary, seal_summary
from api.core.ingest import IncomingEmail
from api.core.keywords import keywords_to_stored
from api.core.unlocked import UnlockedAccount
from api.services import build_services
from api.store.changes import CREATED
from api.store.ids import AccountId, new_id
from api.store.records import EmailRecord
from api.tls import ensure_certificate, server_ssl_context
from compat.imap.listener import start_imap
from crypto.master_key import SUBKEY_SUMMARIES

MESSAGES = 16_000
TEMPLATES = 200
BASE = 1_700_000_000


async def seed(client: Client, inbox: str, rng: random.Random) -> None:
    services, unlocked = client.services, client.unlocked
    account_id = AccountId(unlocked.account_id)
    incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=BASE)
    templates = []
    for i in range(TEMPLATES):
        raw = _message(rng, i, _body_size(rng), attachment=rng.random() < 0.15)
        templates.append(await services.emails.ingest.import_raw(unlocked, raw, incoming))
    key = unlocked.master_key.subkey(SUBKEY_SUMMARIES)
    summaries = [open_summary(key, account_id, t.id, t.summary_sealed) for t in templates]
    async with services.store.transaction() as tx:
        [box] = [m for m in await tx.mailboxes.list(account_id) if m.id == inbox]
    uid = box.uid_next
    records = []
    for i in range(MESSAGES - TEMPLATES):
        template = templates[i % TEMPLATES]
        email_id = new_id("e")
        summary = msgspec.structs.replace(summaries[i % TEMPLATES], subject=f"Copy {i}")
        flags, custom = keywords_to_stored(["$seen"] if rng.random() < 0.8 else [])
        records.append(
            EmailRecord(
                id=email_id,
                account_id=account_id,
                blob_id=template.blob_id,
                thread_id=new_id("t"),
                size=template.size,
                received_at=BASE + 60 + i * 60,
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
        modseq = await tx.changes.next_modseq(account_id)
        await tx.emails.add_many([msgspec.structs.replace(r, modseq=modseq) for r in records])
        await tx.changes.record(account_id, modseq, "Email", [(r.id, CREATED) for r in records])
        await tx.mailboxes.update(account_id, inbox, uid_next=uid)


class LineClient:
    """Just enough IMAP client to time commands: send, read until the tagged reply."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer, self.count = reader, writer, 0

    async def command(self, text: str) -> list[bytes]:
        self.count += 1
        tag = f"b{self.count}".encode()
        self.writer.write(tag + b" " + text.encode() + b"\r\n")
        lines = []
        while True:
            line = await self.reader.readline()
            lines.append(line)
            if line.startswith(tag + b" "):
                assert line.startswith(tag + b" OK"), line
                return lines
            if line.rstrip().endswith(b"}"):  # a literal: read its octets
                size = int(line.rstrip()[line.rindex(b"{") + 1 : -1])
                lines.append(await self.reader.readexactly(size))


async def median_ms(run: object, runs: int) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await run()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), min(timings)


def report(label: str, figures: tuple[float, float], dovecot: str) -> None:
    median, best = figures
    print(f"{label:52} {median:8.2f} ms median {best:8.2f} best   (Dovecot: {dovecot})")


async def main() -> None:
    rng = random.Random(9051)
    with tempfile.TemporaryDirectory() as scratch:
        port = free_port()
        settings = load_settings(
            None,
            {"data_dir": scratch, "argon2_time_cost": 1, "argon2_memory_kib": 8192,
             "imap_port": 0, "imaps_port": port, "hostname": "127.0.0.1"},
            environ={},
        )  # fmt: skip
        services = build_services(settings)
        await services.store.migrate()
        created = await create_account(services, "bench@example.org")
        master_key = await unlock(services, created.account.id, PASSWORD)
        assert master_key is not None
        unlocked = UnlockedAccount(created.account.id, created.account.address, master_key)
        client = Client(services, unlocked)
        inbox = await client.mailbox("inbox")
        started = time.perf_counter()
        await seed(client, inbox, rng)
        print(f"{MESSAGES:,} messages seeded in {time.perf_counter() - started:.1f} s; "
              f"SQLite; {os.cpu_count()} CPUs")  # fmt: skip
        secret = (await services.app_passwords.create(unlocked, "bench")).secret
        cert, key, _ = ensure_certificate(settings)
        listeners = await start_imap(services, server_ssl_context(cert, key))
        tls = ssl.create_default_context(cafile=str(cert))
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=tls, limit=2**24)
        await reader.readline()
        imap = LineClient(reader, writer)
        await imap.command(f'LOGIN bench@example.org "{secret}"')
        report("(a) SELECT INBOX", await median_ms(lambda: imap.command("SELECT INBOX"), 20),
               "2-20 ms")  # fmt: skip
        flags = await imap.command("UID FETCH 1:* (UID FLAGS)")
        assert len(flags) == MESSAGES + 1, len(flags)
        all_flags = await median_ms(lambda: imap.command("UID FETCH 1:* (UID FLAGS)"), 10)
        report("(b) UID FETCH 1:* (UID FLAGS)", all_flags, "12 ms")
        newest = f"{MESSAGES - 99}:{MESSAGES}"
        report("(c) UID FETCH newest 100 BODY.PEEK[]",
               await median_ms(lambda: imap.command(f"UID FETCH {newest} (BODY.PEEK[])"), 20),
               "2.5 ms")  # fmt: skip
        latencies = []
        for i in range(10):
            imap.count += 1
            tag = f"b{imap.count}".encode()
            writer.write(tag + b" IDLE\r\n")
            assert (await reader.readline()).startswith(b"+")
            raw = _message(rng, 10**6 + i, 3000, attachment=False)
            began = time.perf_counter()
            await services.emails.ingest.deliver(
                unlocked.account_id, raw, IncomingEmail([inbox], [], now())
            )
            while b"EXISTS" not in await reader.readline():
                pass
            latencies.append((time.perf_counter() - began) * 1000)
            writer.write(b"DONE\r\n")
            while not (await reader.readline()).startswith(tag):
                pass
        idle = (statistics.median(latencies), min(latencies))
        report("(d) IDLE: delivery -> * n EXISTS", idle, "~500 ms, Cyrus < 100 ms")
        writer.close()
        await listeners.stop()
        await services.close()


if __name__ == "__main__":
    asyncio.run(main())
