"""A real `sealbox serve` process on a free port, with its own data directory."""

from __future__ import annotations

import signal
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from support.cli import SEALBOX

__all__ = ["RunningServer", "https_client", "start_server"]


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
