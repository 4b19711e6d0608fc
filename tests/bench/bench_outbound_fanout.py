"""One EmailSubmission of a 60 KB message to 50 recipients at one remote domain, DKIM on:
CPU (process_time) and wall time of the queue run that sends it to a real aiosmtpd sink on
loopback (in this process, so its CPU counts too), and how many SMTP transactions it took.

Run with `make bench` (not collected by pytest). Figures are printed, never asserted.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.environment import sealbox_settings
from support.jmap_client import make_client
from support.outbound import FakeClock, queue_sender
from support.smtp_sink import smtp_sink

from api.services import build_services
from tests.delivery.test_outbound_queue import outgoing, send

RECIPIENTS = 50
RUNS = 5


async def one_run() -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as scratch, smtp_sink() as sink:
        transport = f"elsewhere.example=127.0.0.1:{sink.port}"
        settings = sealbox_settings(Path(scratch) / "data", "", outbound_transport=transport)
        node = build_services(settings)
        await node.store.migrate()
        alice = await make_client(node, "alice@example.org")
        await node.dkim_keys.rotate("example.org")
        rcpts = [f"r{i}@elsewhere.example" for i in range(RECIPIENTS)]
        raw = outgoing(rcpts[0]).replace(b"Hike at nine?", (b"x" * 76 + b"\r\n") * 780)
        envelope = {
            "mailFrom": {"email": "alice@example.org"},
            "rcptTo": [{"email": r} for r in rcpts],
        }
        await send(alice, raw, envelope=envelope)
        sender = queue_sender(node, FakeClock(int(time.time()) + 60))
        cpu, wall = time.process_time(), time.perf_counter()
        counts = await sender.run_once()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        assert counts.delivered == RECIPIENTS, counts
        transactions = len(sink.received)
        await node.close()
        return cpu * 1000, wall * 1000, transactions


async def main() -> None:
    runs = [await one_run() for _ in range(RUNS)]
    cpu = statistics.median(r[0] for r in runs)
    wall = statistics.median(r[1] for r in runs)
    print(
        f"{RECIPIENTS} recipients at one domain, 60 KB, DKIM: queue run CPU {cpu:.0f} ms, "
        f"wall {wall:.0f} ms (medians of {RUNS}), {runs[0][2]} SMTP transaction(s)"
    )


if __name__ == "__main__":
    asyncio.run(main())
