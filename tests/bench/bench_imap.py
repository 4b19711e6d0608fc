r"""IMAP at scale: 16,000 messages in one Inbox on SQLite, timed through a real TLS client.

Run with `make bench` (not collected by pytest). Seeds like bench_email.py (a few hundred
messages through EmailIngest, the rest bulk-inserted copies with their own ids, sealed
summaries, UIDs and keywords), starts the IMAP listeners in process and prints medians of:
(a0) the first SELECT INBOX (nothing kept yet), (a) SELECT INBOX again
(b) UID FETCH 1:* (UID FLAGS)
(c) UID FETCH of the newest 100 messages, BODY.PEEK[] (decryption included)
(d) IDLE: time from a delivery (the SMTP path: EmailIngest.deliver) to `* n EXISTS`
(e0) the first UID SORT (REVERSE DATE) of the connection, (e)-(g) UID SORT by date and by
subject, UID THREAD REFERENCES, over all 16,000
(h)-(i) UID SEARCH UNSEEN and SEARCH UNSEEN
(j) a resync after 10 flag changes and 10 expunges by JMAP: SELECT (QRESYNC ...), and
(j') the CONDSTORE-only way to the same facts (Sealbox only)
The same messages (raw octets and \Seen flags) go into a private Dovecot's Maildir when
Dovecot is installed (tests/support/dovecot.py), and the same client times the same
commands there (its delivery: a file renamed into new/); both columns print side by side
(SEALBOX_BENCH_DOVECOT=0 leaves Dovecot out).
Client and servers share the machine's cores. Figures are printed, never asserted.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import ssl
import sys
import tempfile
import time
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_email import _body_size, _message
from bench.dovecot_mailbox import deliver_to_dovecot, fill_dovecot_inbox
from bench.imap_timing import Timings, connect, time_idle, time_qresync, time_suite
from support.dovecot import dovecot_unavailable, running_dovecot
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


async def seed(client: Client, inbox: str, rng: random.Random) -> list[tuple[bytes, bool, int]]:
    """Fill the Inbox; returns every message as (raw, seen, received_at), oldest first."""
    services, unlocked = client.services, client.unlocked
    account_id = AccountId(unlocked.account_id)
    incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=BASE)
    templates, raws = [], []
    for i in range(TEMPLATES):
        raw = _message(rng, i, _body_size(rng), attachment=rng.random() < 0.15)
        raws.append(raw)
        templates.append(await services.emails.ingest.import_raw(unlocked, raw, incoming))
    messages = [(raw, False, BASE) for raw in raws]
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
        seen = rng.random() < 0.8
        flags, custom = keywords_to_stored(["$seen"] if seen else [])
        messages.append((raws[i % TEMPLATES], seen, BASE + 60 + i * 60))
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
    return messages


def report(ours: Timings, dovecot: Timings | None, why_not: str | None) -> None:
    heading = f"{'Sealbox median / best (CPU)':>34} {'Dovecot median / best':>24}"
    print(f"{'measure':40} {heading}")
    for label, (median, best, cpu) in ours.items():
        theirs = f"{why_not or 'n/a'}"
        if dovecot is not None and label in dovecot:
            theirs = f"{dovecot[label][0]:8.2f} / {dovecot[label][1]:7.2f} ms"
        print(f"{label:40} {median:8.2f} / {best:7.2f} ms ({cpu:6.1f})    {theirs:>24}")


async def time_dovecot(messages: list[tuple[bytes, bool, int]], rng: random.Random) -> Timings:
    with running_dovecot() as server:
        await asyncio.to_thread(fill_dovecot_inbox, server, messages)
        tls = ssl.create_default_context()
        tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE  # its own test certificate
        imap = await connect(server.imaps_port, tls, f'LOGIN {server.user} "{server.password}"')
        timings = await time_suite(imap, len(messages))

        async def deliver(i: int) -> None:
            raw = _message(rng, 10**6 + i, 3000, attachment=False)
            await asyncio.to_thread(deliver_to_dovecot, server, raw, i)

        timings.update(await time_idle(imap, deliver))
        imap.writer.close()
        return timings


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
        messages = await seed(client, inbox, rng)
        print(f"{MESSAGES:,} messages seeded in {time.perf_counter() - started:.1f} s; "
              f"SQLite; {os.cpu_count()} CPUs")  # fmt: skip
        # The seeding's garbage is collected now, not charged to the first timed command
        # (a full collection of this heap costs ~100 ms, a running server's debt is not).
        gc.collect()
        secret = (await services.app_passwords.create(unlocked, "bench")).secret
        cert, key, _ = ensure_certificate(settings)
        listeners = await start_imap(services, server_ssl_context(cert, key))
        tls = ssl.create_default_context(cafile=str(cert))
        imap = await connect(port, tls, f'LOGIN bench@example.org "{secret}"')
        ours = await time_suite(imap, MESSAGES)

        async def deliver(i: int) -> None:
            raw = _message(rng, 10**6 + i, 3000, attachment=False)
            await services.emails.ingest.deliver(
                unlocked.account_id, raw, IncomingEmail([inbox], [], now())
            )

        ours.update(await time_idle(imap, deliver))

        async def change() -> None:
            found = await client.one("Email/query", filter={"inMailbox": inbox}, limit=20)
            flagged, gone = found["ids"][:10], found["ids"][10:]
            await client.one("Email/set", update={i: {"keywords/$flagged": True} for i in flagged})
            await client.one("Email/set", destroy=gone)

        ours.update(await time_qresync(imap, change))
        imap.writer.close()
        await listeners.stop()
        await services.close()
    why_not = (
        "SEALBOX_BENCH_DOVECOT=0"
        if os.environ.get("SEALBOX_BENCH_DOVECOT") == "0"
        else dovecot_unavailable()
    )
    dovecot = None if why_not else await time_dovecot(messages, rng)
    report(ours, dovecot, why_not and "Dovecot unavailable")
    if why_not:
        print(f"Dovecot: {why_not}")


if __name__ == "__main__":
    asyncio.run(main())
