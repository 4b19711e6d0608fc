"""Full-text search at scale: a generated mailbox, its index build, queries, unlock, RAM.

Run with `make bench` (not collected by pytest). SEALBOX_BENCH_SEARCH_MESSAGES sets the
corpus size (default 20,000; 100,000 takes about five times as long to seed on 2 cores),
SEALBOX_BENCH_SEARCH_LANGUAGE the account's stemming language (default none), and
SEALBOX_BENCH_SEARCH_DATA a directory that keeps the seeded corpus between runs (it is
seeded when empty, reused when it holds a corpus of the same size), so two trees can be
measured on the same mailbox; with it, SEALBOX_BENCH_SEARCH_REBUILD=0 keeps the index
the last run sealed and skips (a) and (d)'s "before the build".
Messages are generated from a Zipf-distributed vocabulary in English, French and German
(diacritics included), 1 to 400 words of body, a fifth of them with an HTML alternative,
and imported with search off (so seeding is not timed). Then, in process, on SQLite:
(a) full index build: search on, which decrypts, parses and indexes every message and
    seals each batch's new segment files (the CLI's `reindex` path);
(b) text query + sort by receivedAt desc + limit 50, median and p95 (target < 10 ms),
    for a rare word, a common word, a prefix and a phrase; and text AND inMailbox;
(c) unlock cost: the account's index is closed (sealed, RAM freed) and opened again:
    sealed rows read and decrypted into the RAM directory, tantivy opens it;
(d) memory per unlocked account: the RAM directory's size, and the process RSS it adds.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.jmap_client import Client
from support.services import PASSWORD, create_account, unlock

from api.config import load_settings
from api.core.ingest import IncomingEmail
from api.core.unlocked import UnlockedAccount
from api.services import Services, build_services
from api.store.ids import AccountId

MESSAGES = int(os.environ.get("SEALBOX_BENCH_SEARCH_MESSAGES", "20000"))
LANGUAGE = os.environ.get("SEALBOX_BENCH_SEARCH_LANGUAGE", "")
DATA = os.environ.get("SEALBOX_BENCH_SEARCH_DATA", "")
REBUILD = os.environ.get("SEALBOX_BENCH_SEARCH_REBUILD", "1") != "0"
BASE = 1_700_000_000
RUNS = 40
_SYLLABLES = ["ka", "lo", "mi", "ner", "sto", "vin", "dra", "pel", "qui", "ron", "tes", "zu"]
_REAL = [
    "the", "and", "report", "meeting", "invoice", "budget", "travel", "lunch", "project",
    "team", "review", "schedule", "le", "la", "les", "réunion", "facture", "budget", "voyage",
    "déjeuner", "équipe", "été", "très", "der", "die", "das", "Besprechung", "Rechnung",
    "Reise", "Mittagessen", "Größe", "Straße", "über", "für",
]  # fmt: skip


def _vocabulary(rng: random.Random) -> list[str]:
    made = {"".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(6000)}
    return _REAL + sorted(made)


def _message(rng: random.Random, words: list[str], weights: list[float], n: int) -> bytes:
    def text(count: int) -> str:
        return " ".join(rng.choices(words, weights, k=count))

    subject = text(rng.randint(2, 8))
    body = "\r\n".join(text(rng.randint(5, 15)) for _ in range(rng.randint(1, 30)))
    head = (
        f"From: Sender {n % 500} <s{n % 500}@example.net>\r\nTo: Alice <alice@example.org>\r\n"
        f"Subject: {subject}\r\nMessage-ID: <b{n}@example.net>\r\nMIME-Version: 1.0\r\n"
    )
    if rng.random() < 0.2:
        return (
            head + 'Content-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\n'
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n--b\r\n"
            "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>"
            + body.replace("\r\n", "</p><p>")
            + "</p></body></html>\r\n--b--\r\n"
        ).encode()
    return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n").encode()


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def _timed(call: object, runs: int = RUNS) -> tuple[float, float, float]:
    """(median wall ms, p95 wall ms, median CPU ms of this process) over `runs` calls."""
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        await call()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)], statistics.median(cpu)


async def _seed(services: Services, unlocked: UnlockedAccount, inbox: str) -> tuple[int, float]:
    """Import the generated corpus with search off; (octets, seconds)."""
    await services.search.set_enabled(unlocked, False)
    rng = random.Random(7)
    words = _vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    started = time.perf_counter()
    ingest = services.emails.ingest
    octets = 0
    for n in range(MESSAGES):
        raw = _message(rng, words, weights, n)
        octets += len(raw)
        incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=BASE + n)
        await ingest.import_raw(unlocked, raw, incoming)
    return octets, time.perf_counter() - started


async def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(DATA) if DATA else Path(scratch) / "data"
        settings = load_settings(
            None,
            {"data_dir": str(data), "argon2_memory_kib": 8, "argon2_time_cost": 1,
             "argon2_parallelism": 1},
            environ={},
        )  # fmt: skip
        services = build_services(settings)
        await services.store.migrate()
        marker = data / "bench-corpus.json"
        corpus = json.loads(marker.read_text()) if marker.exists() else {}
        if corpus.get("messages") == MESSAGES:
            account_id = AccountId(corpus["account_id"])
        else:
            assert not corpus, f"{data} holds another corpus: {corpus}"
            account_id = (await create_account(services, "alice@example.org")).account.id
        master_key = await unlock(services, account_id, PASSWORD)
        assert master_key is not None
        unlocked = UnlockedAccount(account_id, "alice@example.org", master_key)
        client = Client(services, unlocked)
        inbox = await client.mailbox("inbox")
        if not corpus:
            octets, seeded = await _seed(services, unlocked, inbox)
            corpus = {"messages": MESSAGES, "account_id": account_id, "octets": octets}
            marker.write_text(json.dumps(corpus))
            print(f"seeded (search off) in {seeded:.1f} s")
        words = _vocabulary(random.Random(7))
        load = os.getloadavg()[0]
        print(f"corpus: {MESSAGES} messages, {corpus['octets'] / MESSAGES / 1024:.1f} KB "
              f"average; language {LANGUAGE or 'none'}; load average {load:.1f}")  # fmt: skip
        rss_before = _rss()
        if REBUILD:
            await services.search.set_enabled(unlocked, False)
            rss_before = _rss()
            started = time.perf_counter()
            await services.search.set_enabled(unlocked, True, language=LANGUAGE)
            build = time.perf_counter() - started
            print(f"(a) full index build: {build:.1f} s ({MESSAGES / build:.0f} messages/s), "
                  "decrypt + parse + index + seal")  # fmt: skip
        async with services.store.transaction() as tx:
            sealed = await tx.search_files.all(unlocked.account_id)
        at_rest = sum(len(s) for s in sealed.values())
        print(f"    sealed at rest: {len(sealed)} rows, {at_rest / 2**20:.1f} MiB")

        rare = words[-1]
        queries = {
            "rare word": {"text": rare},
            "common word": {"text": words[len(_REAL) + 2]},
            "prefix (type-ahead)": {"text": words[len(_REAL) + 40][:3]},
            'phrase "w1 w2"': {"text": '"the report"'},
            "text AND inMailbox": {
                "operator": "AND",
                "conditions": [{"text": words[len(_REAL) + 20]}, {"inMailbox": inbox}],
            },
        }
        for name, condition in queries.items():
            got = await client.one("Email/query", filter=condition, limit=50, calculateTotal=True)

            async def run(condition: object = condition) -> None:
                await client.one("Email/query", filter=condition, limit=50)

            median, p95, cpu = await _timed(run)
            print(f"(b) {name:22} {got['total']:6} hits, limit 50: median {median:6.2f} ms, "
                  f"p95 {p95:6.2f} ms, CPU {cpu:6.2f} ms   (target < 10 ms)")  # fmt: skip

        times = []
        for _ in range(5):
            await services.search.close_account(unlocked.account_id)
            started = time.perf_counter()
            await services.search.open(unlocked)
            times.append((time.perf_counter() - started) * 1000)
        print(f"(c) unlock (restore {at_rest / 2**20:.1f} MiB of sealed files): "
              f"median {statistics.median(times):.0f} ms")  # fmt: skip

        ram = services.search.memory_bytes(unlocked.account_id)
        await client.one("Email/query", filter={"text": rare}, limit=50)
        rss_open = _rss()
        await services.search.close_account(unlocked.account_id)
        rss_closed = _rss()
        print(f"(d) memory per unlocked account: RAM directory {ram / 2**20:.1f} MiB; "
              f"process RSS {rss_open / 2**20:.0f} MiB open vs {rss_closed / 2**20:.0f} MiB "
              f"closed (before the build: {rss_before / 2**20:.0f} MiB)")  # fmt: skip
        await services.close()


if __name__ == "__main__":
    asyncio.run(main())
