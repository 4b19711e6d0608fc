"""Settings and environment for tests: cheap Argon2, private data dirs, free ports."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from api.config import Settings, load_settings

__all__ = ["CHEAP_ARGON2", "free_port", "sealbox_environment", "sealbox_settings"]

# Argon2 at its minimum cost keeps the suite fast; one test checks the real defaults.
CHEAP_ARGON2 = {
    "SEALBOX_ARGON2_TIME_COST": "1",
    "SEALBOX_ARGON2_MEMORY_KIB": "8192",
    "SEALBOX_ARGON2_PARALLELISM": "1",
}
_ALL_PORTS_OFF = {
    f"SEALBOX_{name.upper()}_PORT": "0"
    for name in ("http", "imap", "imaps", "pop3", "pop3s", "smtp", "submission", "submissions")
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sealbox_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """A process environment for `sealbox` with every listener off unless `extra` turns it on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEALBOX_")}
    env.update(CHEAP_ARGON2)
    env.update(_ALL_PORTS_OFF)
    env["SEALBOX_DATA_DIR"] = str(data_dir)
    env["SEALBOX_CREATE_DEMO_ACCOUNT"] = "false"
    env["SEALBOX_LOG_LEVEL"] = "warning"
    env.update(extra)
    return env


def sealbox_settings(data_dir: Path, database_url: str = "", **overrides: object) -> Settings:
    values: dict[str, object] = {"data_dir": str(data_dir), "database_url": database_url}
    values.update(overrides)
    return load_settings(None, values, environ=sealbox_environment(data_dir))
