"""`sealbox serve` when the submission port (RFC 6409) is taken after the MX started: one
line naming the port, a failing exit status, and no MX worker process left behind."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

from support.cli import SEALBOX
from support.environment import free_port, sealbox_environment
from support.processes import descendants, is_running


def _watch(process: subprocess.Popen[str], seen: set[int]) -> None:
    """Every descendant of `process` while it runs: the workers it may leave behind."""
    while process.poll() is None:
        seen.update(descendants(process.pid))
        time.sleep(0.01)


def test_a_taken_submission_port_stops_the_mx_and_its_workers(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = sealbox_environment(
            tmp_path / "data",
            SEALBOX_SMTP_PORT=str(free_port()),
            SEALBOX_SUBMISSION_PORT=str(port),
            SEALBOX_SMTP_WORKER_PROCESSES="2",
        )
        process = subprocess.Popen(
            [SEALBOX, "serve"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        seen: set[int] = set()
        watcher = threading.Thread(target=_watch, args=(process, seen), daemon=True)
        watcher.start()
        output, _ = process.communicate(timeout=60)
        watcher.join()
    assert process.returncode not in (0, None), output
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if f"submission port {port}" in line]
    assert len(errors) == 1, output
    assert "in use" in errors[0], output
    assert seen, "the MX worker processes never started"
    deadline = time.monotonic() + 5
    while any(is_running(pid) for pid in seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in seen if is_running(pid)], output
