"""Inbound MX throughput: 10 KB messages from 20 connections into a real `sealbox serve`,
and the same load into a private Dovecot's LMTP on this machine as the reference."""

from __future__ import annotations

import os
import smtplib
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.cli_accounts import add_account, checked_cli
from support.dovecot import dovecot_unavailable, running_dovecot
from support.environment import free_port, sealbox_environment
from support.processes import cpu_seconds, descendants
from support.server import start_server
from support.smtp_dkim import zone_text

CONNECTIONS = 20
SECONDS = 15.0
BODY = ("x" * 76 + "\r\n") * 130  # about 10 KB


def _client(port: int, rcpt: str, until: float, latencies: list[float], lmtp: bool = False) -> None:
    raw = f"From: a@good.test\r\nTo: {rcpt}\r\nSubject: bench\r\n\r\n{BODY}".encode()
    kind = smtplib.LMTP if lmtp else smtplib.SMTP
    with kind("127.0.0.1", port, timeout=30) as client:
        client.ehlo("bench.good.test")
        while time.monotonic() < until:
            started = time.monotonic()
            client.sendmail("a@good.test", [rcpt], raw)
            latencies.append(time.monotonic() - started)


def _load(port: int, rcpt: str, *, lmtp: bool = False) -> tuple[list[float], float]:
    """Latencies of every message the 20 clients sent for SECONDS, and the time taken."""
    latencies: list[float] = []
    until = time.monotonic() + SECONDS
    threads = [
        threading.Thread(target=_client, args=(port, rcpt, until, latencies, lmtp))
        for _ in range(CONNECTIONS)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.monotonic() - started


def _dovecot_reference() -> None:
    """Dovecot LMTP (fsync on, as shipped) under the same clients: the figure to beat."""
    why = dovecot_unavailable(lmtp=True)
    if why is not None:
        print(f"dovecot lmtp reference skipped: {why}")
        return
    port = free_port()
    with running_dovecot(lmtp_port=port) as dovecot:
        latencies, elapsed = _load(port, dovecot.user, lmtp=True)
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    print(f"dovecot lmtp reference: {len(latencies) / elapsed:.0f} messages/s stored, ", end="")
    print(f"p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {p99:.1f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        zone = Path(folder) / "zone.txt"
        zone.write_text(zone_text())
        port = free_port()
        env = sealbox_environment(
            data_dir,
            SEALBOX_SMTP_PORT=str(port),
            SEALBOX_DNS_ZONE_FILE=str(zone),
            SEALBOX_SMTP_MAX_CONNECTIONS_PER_IP="100",
            SEALBOX_SMTP_MAX_MESSAGES_PER_IP_PER_MINUTE="1000000",
        )
        if "SEALBOX_SMTP_WORKER_PROCESSES" in os.environ:  # the default: one per core
            env["SEALBOX_SMTP_WORKER_PROCESSES"] = os.environ["SEALBOX_SMTP_WORKER_PROCESSES"]
        checked_cli(env, "domain", "add", "example.org")
        account = add_account(env, "example.org")
        server = start_server(data_dir, env, 0)
        pids = [server.process.pid, *descendants(server.process.pid)]
        cpu_before = [cpu_seconds(pid) for pid in pids]
        client_before = time.process_time()
        latencies, elapsed = _load(port, account.address)
        client_cpu = time.process_time() - client_before
        cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before, strict=True)]
        server.stop()
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    print(f"smtp inbound: {len(latencies)} messages of ~10 KB from {CONNECTIONS} connections")
    print(f"  {len(latencies) / elapsed:.0f} messages/s durably stored (target >= 350)")
    print(f"  p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {p99:.1f} ms (target < 100)")
    per_message = [seconds / len(latencies) * 1000 for seconds in cpu]
    parts = " + ".join(f"{ms:.2f}" for ms in per_message)
    print(f"  server CPU {sum(per_message):.2f} ms per message (server + its children: {parts})")
    print(f"  client CPU {client_cpu / len(latencies) * 1000:.2f} ms per message (this process)")
    print(f"  load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if "--no-reference" not in sys.argv:
        _dovecot_reference()


if __name__ == "__main__":
    main()
