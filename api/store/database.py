"""The async engine, its sessions, and schema migration to the newest Alembic revision."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from api.store.errors import StoreError
from api.store.sqlite_driver import one_hop_dbapi

__all__ = ["Database"]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_WAL_ATTEMPTS = 100
_SQLITE_POOL = 32
# Any constant every node agrees on; only schema migration takes this advisory lock.
_MIGRATION_LOCK = 0x5EA1B0C5


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # busy_timeout waits for a concurrent writer instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_reset(dbapi_connection: Any, record: Any, state: Any) -> None:
    # Every unit of work ends in COMMIT or ROLLBACK, so the pool's own rollback at
    # check-in is mostly a no-op, yet it costs a thread round trip (about a third of a
    # one-SELECT transaction). Roll back only a connection still in a transaction.
    if state.terminate_only:
        return
    driver = record.driver_connection
    in_transaction = getattr(driver, "in_transaction", True)
    if driver is None or in_transaction or getattr(dbapi_connection, "holds_writes", False):
        dbapi_connection.rollback()


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


class Database:
    """One engine per process; `session()` gives a unit of work that commits on success."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        options: dict[str, Any] = {"pool_pre_ping": not self.is_sqlite}
        if self.is_sqlite:
            # An aiosqlite connection is a thread and a file open: made per checkout past
            # the pool's size (20 SMTP sessions at RCPT, say), it costs more than the query.
            options.update(pool_size=_SQLITE_POOL, max_overflow=_SQLITE_POOL)
            # The reset is _sqlite_reset's: a rollback only where a transaction is open.
            options.update(pool_reset_on_return=None)
            if url.startswith("sqlite+aiosqlite"):
                options.update(module=one_hop_dbapi())
        self.engine: AsyncEngine = create_async_engine(url, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine.pool, "reset", _sqlite_reset)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session, session.begin():
            yield session

    async def _enable_wal(self) -> None:
        """Switch the file to WAL (readers beside the writer); the mode persists in the file.

        The switch does not wait on busy_timeout, so processes starting together on a new
        file retry it briefly instead of failing.
        """
        for _ in range(_WAL_ATTEMPTS):
            try:
                async with self.engine.connect() as connection:
                    result = await connection.exec_driver_sql("PRAGMA journal_mode=WAL")
                    if str(result.scalar()).lower() == "wal":
                        return
            except OperationalError:
                pass
            await asyncio.sleep(0.05)
        raise StoreError("the SQLite database stays locked; is another program using it?")

    async def migrate(self) -> None:
        """Bring the schema to the newest revision; safe to call on every start."""
        if self.is_sqlite:
            await self._enable_wal()
        async with self.engine.begin() as connection:
            # Processes starting together (nodes, a CLI run beside `serve`) would all
            # create the tables and all but one fail; one at a time, the later ones find
            # the schema current. On SQLite, BEGIN IMMEDIATE also makes the DDL one
            # transaction, which the driver would otherwise commit statement by statement.
            if self.is_sqlite:
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                )
            await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), "head"))

    async def close(self) -> None:
        await self.engine.dispose()
