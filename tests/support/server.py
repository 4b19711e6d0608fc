"""A real `sealbox serve` process on a free port, with its own data directory."""

from __future__ import annotations

import signal
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from support.cli import SEALBOX
from support.cli_accounts import checked_cli
from support.environment import free_port, sealbox_environment

__all__ = ["RunningServer", "hosted_server", "https_client", "start_server"]


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    data_dir: Path
    env: dict[str, str]
    http_port: int
    output: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.http_port}"

    @property
    def cert_path(self) -> Path:
        return self.data_dir / "tls" / "cert.pem"

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM, then wait: returns the exit code (0 for a clean stop)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


def _pump(process: subprocess.Popen[str], sink: list[str], ready: threading.Event) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        sink.append(line.rstrip("\n"))
        if line.startswith("sealbox: ready"):
            ready.set()
    ready.set()


def start_server(data_dir: Path, env: dict[str, str], http_port: int) -> RunningServer:
    process = subprocess.Popen(
        [SEALBOX, "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    server = RunningServer(process, data_dir, env, http_port)
    ready = threading.Event()
    threading.Thread(target=_pump, args=(process, server.output, ready), daemon=True).start()
    deadline = time.monotonic() + 60
    while not ready.wait(0.1):
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("sealbox serve did not become ready:\n" + "\n".join(server.output))
    if process.poll() is not None or not any(x.startswith("sealbox: ready") for x in server.output):
        raise RuntimeError("sealbox serve exited early:\n" + "\n".join(server.output))
    return server


def https_client(server: RunningServer, **options: object) -> httpx.Client:
    """An httpx client that trusts exactly this server's self-signed certificate."""
    context = ssl.create_default_context(cafile=str(server.cert_path))
    return httpx.Client(base_url=server.base_url, verify=context, timeout=30, **options)  # type: ignore[arg-type]


@contextmanager
def hosted_server(
    tmp_path_factory: pytest.TempPathFactory, name: str, domain: str
) -> Iterator[RunningServer]:
    """A server whose Session URLs point at 127.0.0.1 (so clients here can follow them),
    hosting `domain`; stopped, and checked for a clean exit, afterwards."""
    data_dir = tmp_path_factory.mktemp(name) / "data"
    port = free_port()
    env = sealbox_environment(data_dir, SEALBOX_HTTP_PORT=str(port), SEALBOX_HOSTNAME="127.0.0.1")
    server = start_server(data_dir, env, port)
    try:
        checked_cli(env, "domain", "add", domain)
        yield server
    finally:
        assert server.stop() == 0, "\n".join(server.output)
