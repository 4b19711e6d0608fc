"""State-change fan-out to connected clients (RFC 8620 7): EventSource now, IMAP IDLE later.

Each subscriber keeps a set of changed data types and an event, not a queue: a slow
client coalesces many changes into one wake-up instead of growing a backlog. This
broker serves one process; on PostgreSQL every node's commits reach it through
LISTEN/NOTIFY (api/store/state_relay.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from api.store.ids import AccountId

__all__ = ["StateBroker", "Subscription"]


class Subscription:
    def __init__(self) -> None:
        self._pending: set[str] = set()
        self._wake = asyncio.Event()
        self.closed = False

    def notify(self, types: frozenset[str]) -> None:
        self._pending |= types
        self._wake.set()

    def close(self) -> None:
        self.closed = True
        self._wake.set()

    async def wait(self) -> set[str]:
        """Types changed since the last call (empty once closed); bound it with a timeout."""
        await self._wake.wait()
        self._wake.clear()
        changed, self._pending = self._pending, set()
        return changed


class StateBroker:
    def __init__(self) -> None:
        self._subscribers: dict[AccountId, set[Subscription]] = {}

    def publish(self, touched: Mapping[AccountId, frozenset[str]]) -> None:
        for account_id, types in touched.items():
            for subscription in self._subscribers.get(account_id, ()):
                subscription.notify(types)

    @contextmanager
    def subscribe(self, account_id: AccountId) -> Iterator[Subscription]:
        subscription = Subscription()
        self._subscribers.setdefault(account_id, set()).add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._subscribers.get(account_id, set())
            subscribers.discard(subscription)
            if not subscribers:
                self._subscribers.pop(account_id, None)

    def close(self) -> None:
        """Wake every subscriber for the last time, so open streams end on shutdown."""
        for subscribers in self._subscribers.values():
            for subscription in subscribers:
                subscription.close()
