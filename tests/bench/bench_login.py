"""Sign-in costs with the default Argon2id parameters (RFC 9106: t=3, m=64 MiB, p=4).

Run with `make bench` (not collected by pytest). Builds real services on a temporary
SQLite data directory, creates one account, and prints one table: the raw Argon2id
derivation, a full password sign-in, resolving a session token, unwrapping MK, the
app-password (HKDF) unlock, and sign-ins under concurrency, where
`argon2_max_concurrent` bounds how many Argon2 runs share the CPU.
"""

from __future__ import annotations

import asyncio
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from api.auth.login import SignedIn
from api.config import Settings, load_settings
from api.core.unlock import unlock_with_app_password
from api.core.unlocked import UnlockedAccount
from api.services import Services, build_services
from crypto.kdf import Argon2Params, derive_password_keys, new_salt
from crypto.master_key import MasterKey
from crypto.secret_value import SecretBytes, SecretStr
from crypto.slots import unwrap_master_key, wrap_master_key

ADDRESS = "bench@example.org"
PASSWORD = SecretStr("lantern orbit velvet cactus")
CLIENT = "192.0.2.1"
CONCURRENT_LOGINS = 8


@dataclass(frozen=True)
class Row:
    name: str
    samples: list[float]  # seconds

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]


def _format(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:8.2f} s "
    if seconds >= 1e-3:
        return f"{seconds * 1e3:8.1f} ms"
    return f"{seconds * 1e6:8.1f} us"


def _time_sync(runs: int, work: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return samples


async def _time_async(runs: int, work: Callable[[], Awaitable[object]]) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        samples.append(time.perf_counter() - started)
    return samples


async def _login(services: Services) -> SignedIn:
    result = await services.login.login(ADDRESS, PASSWORD, CLIENT)
    assert isinstance(result, SignedIn), "the bench account has no second factor"
    return result


async def _timed_login(services: Services) -> float:
    started = time.perf_counter()
    await _login(services)
    return time.perf_counter() - started


async def _measure(services: Services, settings: Settings) -> tuple[list[Row], float]:
    params = Argon2Params(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )
    salt = new_salt()
    await services.domains.add(ADDRESS.partition("@")[2])
    account = (await services.accounts.create(ADDRESS, PASSWORD)).account
    first = await _login(services)  # warms the pool and creates the throttle secret
    resolved = await services.sessions.resolve(first.token)
    assert resolved is not None
    master_key: MasterKey = resolved.unlocked.master_key
    unlocked = UnlockedAccount(account.id, account.address, master_key)
    app_password = await services.app_passwords.create(unlocked, "bench")
    app_records = await services.app_passwords.list(account.id)
    wrapping_key = SecretBytes(os.urandom(32))
    wrapped = wrap_master_key(wrapping_key, master_key, account_id=account.id, slot="session")

    rows = [
        Row(
            f"Argon2id derive (t={params.time_cost}, m={params.memory_kib // 1024} MiB, "
            f"p={params.parallelism})",
            _time_sync(10, lambda: derive_password_keys(PASSWORD, salt, params)),
        ),
        Row("LoginService.login, sequential", await _time_async(10, lambda: _login(services))),
        Row(
            "SessionManager.resolve (token -> MK)",
            await _time_async(200, lambda: services.sessions.resolve(first.token)),
        ),
        Row(
            "unwrap_master_key (AES-256-GCM)",
            _time_sync(
                1000,
                lambda: unwrap_master_key(
                    wrapping_key, wrapped, account_id=account.id, slot="session"
                ),
            ),
        ),
        Row(
            "app-password unlock (HKDF)",
            _time_sync(
                1000, lambda: unlock_with_app_password(account, app_records, app_password.secret)
            ),
        ),
    ]
    started = time.perf_counter()
    latencies = await asyncio.gather(*(_timed_login(services) for _ in range(CONCURRENT_LOGINS)))
    wall = time.perf_counter() - started
    rows.append(
        Row(
            f"{CONCURRENT_LOGINS} concurrent logins, each (bound {settings.argon2_max_concurrent})",
            list(latencies),
        )
    )
    return rows, wall


def _print(rows: list[Row], wall: float, settings: Settings) -> None:
    width = max(len(row.name) for row in rows)
    header = f"{'measurement':<{width}}  {'runs':>5}  {'median':>11}  {'p95':>11}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.name:<{width}}  {len(row.samples):>5}  {_format(row.median)}  {_format(row.p95)}"
        )
    print("-" * len(header))
    print(
        f"{CONCURRENT_LOGINS} concurrent logins: {wall:.2f} s wall, "
        f"{CONCURRENT_LOGINS / wall:.1f} logins/s with at most "
        f"{settings.argon2_max_concurrent} Argon2 runs at once"
    )
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"SQLite (WAL) in a temporary data directory"
    )


async def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sealbox-bench-") as data_dir:
        # environ={} keeps SEALBOX_* variables out: the point is the shipped defaults.
        settings = load_settings(
            None, {"data_dir": str(Path(data_dir) / "data"), "create_demo_account": False}, {}
        )
        services = build_services(settings)
        try:
            await services.store.migrate()
            rows, wall = await _measure(services, settings)
        finally:
            await services.close()
    _print(rows, wall, settings)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
