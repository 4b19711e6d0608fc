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
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.store.database import Database
from api.store.models import DomainRow
from api.store.sqlite_driver import deferred_writes
from api.store.unit_of_work import Store


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


async def test_a_read_only_unit_of_work_skips_its_commit(
    engine: AsyncEngine, hand_offs: list[str]
) -> None:
    async with engine.begin() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM t")) == 0
    assert hand_offs.count("commit") == 0
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (name) VALUES ('kept')"))
    assert hand_offs.count("commit") == 1  # a write's commit still happens
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT name FROM t")) == "kept"


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


async def _names(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list(await connection.scalars(text("SELECT name FROM t ORDER BY id")))


async def test_deferred_writes_travel_with_the_next_answer(
    engine: AsyncEngine, hand_offs: list[str]
) -> None:
    async with AsyncSession(engine) as session, session.begin():
        await session.execute(text("SELECT 1"))  # the connection and its transaction
        hand_offs.clear()
        async with deferred_writes(session):
            await session.execute(text("INSERT INTO t (name) VALUES ('a')"))
            await session.execute(
                text("INSERT INTO t (name) VALUES (:n)"), [{"n": "b"}, {"n": "c"}]
            )
            assert hand_offs == []  # held
            assert await session.scalar(text("SELECT count(*) FROM t")) == 3
            assert hand_offs == ["_run_statement"]
            await session.execute(text("UPDATE t SET name = upper(name) WHERE name = 'c'"))
        assert hand_offs == ["_run_statement"]
    assert hand_offs == ["_run_statement", "_commit_held"]  # the update went with COMMIT
    assert await _names(engine) == ["a", "b", "C"]


async def test_a_held_write_that_fails_fails_the_commit_and_stores_nothing(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (name) VALUES ('taken')"))
    with pytest.raises(IntegrityError):
        async with AsyncSession(engine) as session, session.begin(), deferred_writes(session):
            await session.execute(text("INSERT INTO t (name) VALUES ('new')"))
            await session.execute(text("INSERT INTO t (name) VALUES ('taken')"))
    assert await _names(engine) == ["taken"]


async def test_a_rolled_back_block_leaves_nothing_held_for_the_next_user(
    engine: AsyncEngine,
) -> None:
    with pytest.raises(RuntimeError):
        async with AsyncSession(engine) as session, session.begin(), deferred_writes(session):
            await session.execute(text("INSERT INTO t (name) VALUES ('undone')"))
            raise RuntimeError("the caller gives up")
    async with AsyncSession(engine) as session, session.begin():  # the same pooled connection
        await session.execute(text("INSERT INTO t (name) VALUES ('kept')"))
    assert await _names(engine) == ["kept"]


async def test_statements_that_answer_are_never_held(engine: AsyncEngine) -> None:
    async with AsyncSession(engine) as session, session.begin(), deferred_writes(session):
        added = await session.execute(text("INSERT INTO t (name) VALUES ('r') RETURNING id"))
        assert added.scalar_one() == 1


async def test_a_streamed_read_sees_what_was_held(engine: AsyncEngine) -> None:
    async with AsyncSession(engine) as session, session.begin(), deferred_writes(session):
        await session.execute(text("INSERT INTO t (name) VALUES ('held')"))
        streamed = await session.stream(text("SELECT name FROM t"))
        assert [row.name async for row in streamed] == ["held"]


async def test_blocks_nest(engine: AsyncEngine, hand_offs: list[str]) -> None:
    async with AsyncSession(engine) as session, session.begin():
        await session.execute(text("SELECT 1"))
        hand_offs.clear()
        async with deferred_writes(session):
            async with deferred_writes(session):
                await session.execute(text("INSERT INTO t (name) VALUES ('inner')"))
            await session.execute(text("INSERT INTO t (name) VALUES ('outer')"))
            assert hand_offs == []  # still held after the inner block ended
    assert hand_offs == ["_commit_held"]
    assert await _names(engine) == ["inner", "outer"]


async def test_orm_changes_made_before_the_block_are_not_held(tmp_path: Path) -> None:
    """An ORM flush checks its UPDATE's row count: held, it would see -1 and fail."""
    store = Store(f"sqlite+aiosqlite:///{tmp_path / 'orm.db'}")
    await store.migrate()
    try:
        async with store.database.session() as session:
            session.add(DomainRow(id="d1", name="example.org", created_at=1))
        async with store.database.session() as session:
            row = await session.get(DomainRow, "d1")
            assert row is not None
            row.dmarc_policy = "enforce"  # dirty, flushed by the next statement
            async with deferred_writes(session):
                await session.execute(text("UPDATE domains SET created_at = 2"))
        async with store.database.session() as session:
            row = await session.get(DomainRow, "d1")
            assert row is not None and (row.dmarc_policy, row.created_at) == ("enforce", 2)
    finally:
        await store.close()
