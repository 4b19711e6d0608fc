"""The one-hand-off SQLite driver (api/store/sqlite_driver.py) behaves as a DBAPI cursor:
rows, description, rowcount, lastrowid, errors, streaming; and costs one thread trip."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from api.store.database import Database


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield database.engine
    await database.close()


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function aiosqlite ran in a connection's thread."""
    seen: list[str] = []
    original: Callable[..., Any] = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Callable[..., Any], *args: Any) -> Any:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return seen


async def test_a_select_is_one_thread_hand_off(engine: AsyncEngine, hand_offs: list[str]) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("INSERT INTO t (name) VALUES ('a'), ('b')"))
        hand_offs.clear()
        result = await connection.execute(text("SELECT id, name FROM t ORDER BY id"))
        assert hand_offs == ["_run_statement"]  # aiosqlite's adapter made four
        assert list(result.keys()) == ["id", "name"]
        assert [tuple(row) for row in result] == [(1, "a"), (2, "b")]


async def test_counts_and_ids_come_back(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(text("INSERT INTO t (name) VALUES ('x')"))
        assert inserted.lastrowid == 1
        many = await connection.execute(
            text("INSERT INTO t (name) VALUES (:name)"), [{"name": "y"}, {"name": "z"}]
        )
        assert many.rowcount == 2
        updated = await connection.execute(text("UPDATE t SET name = name || '!' WHERE id > 1"))
        assert updated.rowcount == 2
        returned = await connection.execute(text("DELETE FROM t WHERE id = 1 RETURNING name"))
        assert returned.scalar_one() == "x"
    async with engine.connect() as connection:
        names = await connection.scalars(text("SELECT name FROM t ORDER BY id"))
        assert list(names) == ["y!", "z!"]


async def test_a_constraint_is_sqlalchemys_integrity_error(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (name) VALUES ('same')"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t (name) VALUES ('same')"))
    async with engine.connect() as connection:  # the connection is usable afterwards
        assert await connection.scalar(text("SELECT count(*) FROM t")) == 1


async def test_streamed_results_still_arrive_in_batches(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO t (name) VALUES (:name)"), [{"name": f"n{i}"} for i in range(250)]
        )
    async with engine.connect() as connection:
        streamed = await connection.stream(text("SELECT name FROM t ORDER BY id"))
        batches = [len(batch) async for batch in streamed.partitions(100)]
    assert batches == [100, 100, 50]
