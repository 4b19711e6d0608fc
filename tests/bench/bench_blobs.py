"""Blob throughput: upload+encrypt and download+decrypt of a 10 MB blob, in MB/s.

Run with `.venv/bin/python tests/bench/bench_blobs.py` (not collected by pytest). Uses
real services on a temporary SQLite data directory: the upload path is what
POST /jmap/upload runs after TLS (64 KiB pieces in, STREAM encryption off the event loop,
temp file, fsync, rename, fsync of the directory, row commit); the download path is what
GET /jmap/download runs (data key unsealed, 1 MiB pieces decrypted by range). Then the
same over HTTPS: a real `sealbox serve` and an httpx client on loopback (TLS included).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from support.cli_accounts import add_account, add_app_password, checked_cli
from support.environment import free_port, sealbox_environment
from support.server import https_client, start_server
from support.services import PASSWORD, create_account, unlock

from api.config import load_settings
from api.core.unlocked import UnlockedAccount
from api.services import build_services

SIZE = 10_000_000
PIECE = 65_536
ROUNDS = 5


async def _pieces(data: bytes) -> AsyncIterator[bytes]:
    for at in range(0, len(data), PIECE):
        yield data[at : at + PIECE]


def _rate(seconds: list[float]) -> str:
    best, median = min(seconds), statistics.median(seconds)
    return f"{SIZE / best / 1e6:7.1f} MB/s best, {SIZE / median / 1e6:7.1f} MB/s median"


def over_https(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch) / "data"
        port = free_port()
        env = sealbox_environment(
            data_dir, SEALBOX_HTTP_PORT=str(port), SEALBOX_HOSTNAME="127.0.0.1"
        )
        server = start_server(data_dir, env, port)
        try:
            checked_cli(env, "domain", "add", "bench.example")
            account = add_account(env, "bench.example")
            auth = httpx.BasicAuth(account.address, add_app_password(env, account))
            with https_client(server, auth=auth) as client:
                [account_id] = client.get("/.well-known/jmap").json()["accounts"]
                uploads, downloads = [], []
                for _ in range(ROUNDS):
                    started = time.perf_counter()
                    response = client.post(f"/jmap/upload/{account_id}/", content=data)
                    uploads.append(time.perf_counter() - started)
                    blob_id = response.json()["blobId"]
                    started = time.perf_counter()
                    received = client.get(f"/jmap/download/{account_id}/{blob_id}/b").content
                    downloads.append(time.perf_counter() - started)
                    assert received == data
        finally:
            server.stop()
    print(f"HTTPS upload (POST, 201):          {_rate(uploads)}")
    print(f"HTTPS download (GET, 200):         {_rate(downloads)}")


async def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        settings = load_settings(
            None,
            {"data_dir": scratch, "argon2_time_cost": 1, "argon2_memory_kib": 8192},
            environ={},
        )
        services = build_services(settings)
        await services.store.migrate()
        created = await create_account(services, "bench@example.org")
        master_key = await unlock(services, created.account.id, PASSWORD)
        assert master_key is not None
        unlocked = UnlockedAccount(created.account.id, created.account.address, master_key)
        data = os.urandom(SIZE)
        uploads, downloads = [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            record = await services.blobs.upload(unlocked.account_id, _pieces(data))
            uploads.append(time.perf_counter() - started)
            started = time.perf_counter()
            blob = await services.blobs.open(unlocked, record.id)
            received = b"".join([piece async for piece in blob.stream()])
            downloads.append(time.perf_counter() - started)
            assert received == data
        await services.close()
    print(f"10 MB blob, {ROUNDS} rounds, {os.cpu_count()} CPUs, data dir on {scratch}")
    print(f"upload + encrypt + fsync + commit: {_rate(uploads)}")
    print(f"download + decrypt:                {_rate(downloads)}")
    over_https(data)


if __name__ == "__main__":
    asyncio.run(main())
