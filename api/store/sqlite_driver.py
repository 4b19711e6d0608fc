"""aiosqlite for SQLAlchemy with one thread hand-off per statement instead of four.

aiosqlite runs each call of a sqlite3 connection in the connection's thread, and
SQLAlchemy's adapter makes four such calls per statement: open a cursor, execute,
fetch the rows, close. Each hand-off waits for the event loop to come round, which on a
busy loop (an MX with 20 sessions) costs 1-4 ms: a group commit of six statements took
50 ms, most of it waiting. Here the four run as one function in the thread, and the
cursor SQLAlchemy sees holds the results. Server-side cursors (streamed results) keep
the library's cursor, since they fetch as they go.

Inside `deferred_writes`, writes that return nothing go further: they wait, and run in
the thread together with the next statement that must answer, or with the COMMIT. A group
commit of deliveries is then three hand-offs instead of eight.

Built on the same aiosqlite internals SQLAlchemy's own dialect uses (`_execute`, `_conn`);
the engine takes it through create_engine's documented `module` parameter.
"""

from __future__ import annotations

import collections
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

__all__ = ["deferred_writes", "one_hop_dbapi"]

# What a statement leaves behind: description, rows, rowcount, lastrowid.
_Outcome = tuple[Any, list[Any], int, int | None]
# A statement held back: operation, parameters, executemany.
_Held = tuple[str, Any, bool]
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _may_wait(operation: str) -> bool:
    """Whether nothing the statement returns is needed: a write without RETURNING."""
    return _WRITE.match(operation) is not None and "RETURNING" not in operation.upper()


def _run_statement(
    connection: sqlite3.Connection,
    operation: str,
    parameters: Any,
    many: bool,
    held: Sequence[_Held] = (),
) -> _Outcome:
    """In the connection's thread: the held writes, then the whole life of one cursor."""
    _run_held(connection, held)
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _run_held(connection: sqlite3.Connection, held: Sequence[_Held]) -> None:
    for operation, parameters, many in held:
        if many:
            connection.executemany(operation, parameters).close()
        else:
            connection.execute(operation, parameters or ()).close()


def _commit_held(connection: sqlite3.Connection, held: Sequence[_Held]) -> None:
    _run_held(connection, held)
    connection.commit()


class _OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose statement ran, and was fetched and closed, in one hand-off."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No driver cursor: the base class would open one (a hand-off) here.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    def close(self) -> None:
        self._rows.clear()

    async def _async_soft_close(self) -> None:
        return  # the driver's cursor is closed already

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._run(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> None:
        self._run(operation, seq_of_parameters, many=True)

    def _run(self, operation: str, parameters: Any, *, many: bool) -> None:
        connection: _OneHopConnection = self._adapt_connection  # type: ignore[assignment]
        if connection._deferring and _may_wait(operation):
            connection._held.append((operation, parameters, many))
            self._description, self._rowcount, self._lastrowid = None, -1, None
            self._rows = collections.deque()
            return
        try:
            outcome: _Outcome = await_(self._statement(operation, parameters, many))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _statement(self, operation: str, parameters: Any, many: bool) -> _Outcome:
        adapted: _OneHopConnection = self._adapt_connection  # type: ignore[assignment]
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with adapted._execute_mutex:
            held, adapted._held = adapted._held, []
            outcome: _Outcome = await connection._execute(  # type: ignore[no-untyped-call]
                _run_statement, connection._conn, operation, parameters, many, held
            )
            return outcome

    def nextset(self) -> None:
        raise NotImplementedError("sqlite3 has one result set per statement")

    def setinputsizes(self, *inputsizes: Any) -> None:
        return  # sqlite3 ignores them too


class _OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_deferring", "_held")
    _cursor_cls = _OneHopCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._deferring = False
        self._held: list[_Held] = []

    @property
    def holds_writes(self) -> bool:
        return bool(self._held)

    def cursor(self, server_side: bool = False) -> Any:
        if server_side and self._held:
            # A streamed read is the library's cursor: what is held must be written first.
            self._send_held(_run_held)
        return super().cursor(server_side)

    def _send_held(self, run: Any) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        held, self._held = self._held, []
        try:
            await_(connection._execute(run, connection._conn, held))  # type: ignore[no-untyped-call]
        except Exception as error:
            self._handle_exception(error)

    def commit(self) -> None:
        if self._held:
            self._send_held(_commit_held)
            return
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        # A unit of work that only read never began a transaction (sqlite3 begins one
        # before the first write): its COMMIT would be a hand-off to do nothing.
        if connection._connection and not connection.in_transaction:
            return
        super().commit()

    def rollback(self) -> None:
        self._held.clear()  # never sent: nothing to undo
        super().rollback()


class _OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*arg, **kw)
        return _OneHopConnection(self, adapted._connection)


def one_hop_dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    """The DBAPI module for create_async_engine(..., module=...) on sqlite+aiosqlite."""
    return _OneHopDBAPI(aiosqlite, sqlite3)


@asynccontextmanager
async def deferred_writes(session: AsyncSession) -> AsyncIterator[None]:
    """Within the block, writes without RETURNING wait for the session's next statement
    that answers, or its COMMIT, and run with it in one hand-off. Their rowcount is
    unknown, and an error of theirs is raised by that later statement: only for writes
    whose failure fails the whole transaction anyway. Elsewhere than SQLite, no change.

    The session's pending ORM changes are flushed first: an ORM flush reads the row
    counts and ids of its statements, so it must never run held. Inside the block, only
    Core statements (no ORM objects added or changed).
    """
    await session.flush()
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    adapted = raw.dbapi_connection
    if not isinstance(adapted, _OneHopConnection):
        yield
        return
    outer, adapted._deferring = adapted._deferring, True
    try:
        yield
    finally:
        adapted._deferring = outer  # blocks nest
