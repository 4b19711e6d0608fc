"""State changes between nodes: PostgreSQL NOTIFY at commit, LISTEN on every node.

With several `sealbox serve` nodes on one database, a change committed on one node must
wake push clients connected to another (DESIGN.md, Storage and scale). The NOTIFY is
sent inside the writing transaction, so PostgreSQL delivers it only if, and right when,
the change commits. Payloads carry account ids and type names, nothing else.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.ids import AccountId

__all__ = ["CHANNEL", "PostgresStateRelay", "notify_in_transaction"]

CHANNEL = "sealbox_state"
log = logging.getLogger("sealbox.store.relay")

Changes = Mapping[AccountId, frozenset[str]]


def _encode(touched: Changes) -> str:
    return json.dumps({account: sorted(types) for account, types in touched.items()})


def _decode(payload: str) -> dict[AccountId, frozenset[str]]:
    raw = json.loads(payload)
    return {AccountId(account): frozenset(types) for account, types in raw.items()}


async def notify_in_transaction(session: AsyncSession, touched: Changes) -> None:
    await session.execute(select(func.pg_notify(CHANNEL, _encode(touched))))


class PostgresStateRelay:
    """One LISTEN connection per node, handing every notification to `deliver`.

    It does not reconnect yet: if PostgreSQL restarts, push on this node stays silent
    until the node restarts (clients still see every change on their next request).
    """

    def __init__(self, url: str, deliver: Callable[[Changes], None]) -> None:
        # asyncpg speaks the plain libpq URL, without SQLAlchemy's "+asyncpg" driver tag.
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._deliver = deliver
        self._connection: asyncpg.Connection | None = None
        # Whether every notification reaches us: up after start, down once the LISTEN
        # connection is lost (then nothing a node skips on the strength of it is safe).
        self.listening = False

    async def start(self) -> None:
        self._connection = await asyncpg.connect(self._dsn)
        self._connection.add_termination_listener(self._on_lost)
        await self._connection.add_listener(CHANNEL, self._on_notify)
        self.listening = True

    def _on_lost(self, _connection: Any) -> None:
        self.listening = False
        if self._connection is not None:  # not our own stop()
            log.warning("lost the state relay connection", extra={"event": "relay.lost"})

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            touched = _decode(payload)
        except (ValueError, AttributeError, TypeError):
            log.warning("ignored a malformed state notification", extra={"event": "relay.bad"})
            return
        self._deliver(touched)

    async def stop(self) -> None:
        self.listening = False
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()
