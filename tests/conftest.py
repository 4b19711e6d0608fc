"""Fixtures shared by every test: services on SQLite and PostgreSQL, a real server, the CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from support.cli import CliResult, run_cli
from support.environment import free_port, sealbox_environment, sealbox_settings
from support.postfix_peer import ensure_postfix
from support.postgres import postgres_database, postgres_unavailable
from support.server import RunningServer, start_server
from support.services import ServicesFactory

from api.services import Services, build_services

_postgres_reason: str | None = None
_postgres_checked = False


async def _postgres_skip_reason() -> str | None:
    global _postgres_checked, _postgres_reason
    if not _postgres_checked:
        _postgres_reason = await postgres_unavailable()
        _postgres_checked = True
        if _postgres_reason:
            print(f"\nskipping PostgreSQL tests: {_postgres_reason}")
    return _postgres_reason


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh database of each backend: "" (SQLite under the data dir) or a PostgreSQL URL."""
    if request.param == "sqlite":
        yield ""
        return
    reason = await _postgres_skip_reason()
    if reason:
        pytest.skip(reason)
    async with postgres_database() as url:
        yield url


@pytest.fixture
async def make_services(database_url: str, tmp_path: Path) -> AsyncIterator[ServicesFactory]:
    """Builds migrated services on this test's database with settings overrides; closes them."""
    async with AsyncExitStack() as stack:

        async def make(**overrides: object) -> Services:
            built = build_services(sealbox_settings(tmp_path / "data", database_url, **overrides))
            stack.push_async_callback(built.close)
            await built.store.migrate()
            return built

        yield make


@pytest.fixture
async def services(make_services: ServicesFactory) -> Services:
    """Migrated services on a fresh database of each backend (the same tests run on both)."""
    return await make_services()


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for CLI runs against a private data directory."""
    return sealbox_environment(tmp_path / "data")


@pytest.fixture
def cli(cli_env: dict[str, str]):  # type: ignore[no-untyped-def]
    def run(*args: str, stdin: str = "") -> CliResult:
        return run_cli(cli_env, *args, stdin=stdin)

    return run


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    """A real `sealbox serve` over HTTPS on a free port; stopped (and checked) afterwards."""
    data_dir = tmp_path / "data"
    port = free_port()
    env = sealbox_environment(data_dir, SEALBOX_HTTP_PORT=str(port))
    running = start_server(data_dir, env, port)
    yield running
    assert running.stop() == 0, "\n".join(running.output)


@pytest.fixture(scope="session")
def postfix_installed() -> None:
    """Debian's Postfix for the interop tests, installed through apt when missing."""
    reason = ensure_postfix()
    if reason:
        print(f"\nskipping the Postfix interop tests: {reason}")
        pytest.skip(reason)
