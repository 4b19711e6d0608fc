"""The MX's worker processes in a real `sealbox serve`: a lost worker gives 451 and the
retry is stored once; a clean stop leaves no process behind."""

from __future__ import annotations

import os
import signal
import smtplib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cli_accounts import add_account, checked_cli
from support.environment import free_port, sealbox_environment
from support.processes import descendants, is_running
from support.server import RunningServer, start_server
from support.smtp_dkim import zone_text

pytestmark = pytest.mark.slow

MESSAGE = b"From: a@good.test\r\nTo: {rcpt}\r\nSubject: once\r\n\r\nonly one copy\r\n"


@pytest.fixture
def mx(tmp_path: Path) -> Iterator[tuple[RunningServer, int, str]]:
    zone = tmp_path / "zone.txt"
    zone.write_text(zone_text())
    port = free_port()
    env = sealbox_environment(
        tmp_path / "data",
        SEALBOX_SMTP_PORT=str(port),
        SEALBOX_DNS_ZONE_FILE=str(zone),
        SEALBOX_SMTP_WORKER_PROCESSES="2",
    )
    checked_cli(env, "domain", "add", "example.org")
    account = add_account(env, "example.org")
    server = start_server(tmp_path / "data", env, 0)
    try:
        yield server, port, account.address
    finally:
        server.stop()


def _workers(server: RunningServer) -> list[int]:
    """The worker processes: forked by the forkserver, a child of the server."""
    children = set(descendants(server.process.pid))
    return [pid for pid in children if _parent(pid) in children]


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])


def _send(port: int, rcpt: str) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo("client.good.test")
        client.mail("a@good.test")
        client.rcpt(rcpt)
        try:
            return client.data(MESSAGE.replace(b"{rcpt}", rcpt.encode()))
        except smtplib.SMTPDataError as refused:
            return refused.smtp_code, refused.smtp_error


def _stored(server: RunningServer) -> int:
    with sqlite3.connect(server.data_dir / "sealbox.db") as db:
        (count,) = db.execute("SELECT count(*) FROM emails").fetchone()
    return int(count)


def test_a_lost_worker_gives_451_and_the_retry_is_stored_once(
    mx: tuple[RunningServer, int, str],
) -> None:
    server, port, rcpt = mx
    assert _send(port, rcpt)[0] == 250  # the workers are up and answer
    workers = _workers(server)
    assert len(workers) == 2, descendants(server.process.pid)
    # Stopped, the workers hold the next message; killed, they never answer it.
    for pid in workers:
        os.kill(pid, signal.SIGSTOP)
    replies: list[tuple[int, bytes]] = []
    sending = threading.Thread(target=lambda: replies.append(_send(port, rcpt)))
    sending.start()
    time.sleep(1.0)
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    sending.join()
    [(code, text)] = replies
    assert (code, text[:5]) == (451, b"4.3.0"), text
    deadline = time.monotonic() + 30
    while (answer := _send(port, rcpt))[0] != 250:  # the client's retry, as MTAs do
        assert answer[0] == 451 and time.monotonic() < deadline, answer
        time.sleep(0.2)
    assert _stored(server) == 2  # the first message and the retried one, once each
    assert len(_workers(server)) == 2
    assert not any("Traceback" in line for line in server.output), server.output


def test_a_clean_stop_leaves_no_process_behind(mx: tuple[RunningServer, int, str]) -> None:
    server, port, rcpt = mx
    assert _send(port, rcpt)[0] == 250
    below = descendants(server.process.pid)
    assert len(_workers(server)) == 2, below
    assert server.stop() == 0
    deadline = time.monotonic() + 10
    while any(is_running(pid) for pid in below) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in below if is_running(pid)]
