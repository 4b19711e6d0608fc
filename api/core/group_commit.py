"""Group commit: units of work that arrive together share one transaction.

Deliveries: one WAL fsync and a few statements for many messages; RCPT reads: one
SELECT for many sessions.

Each caller hands over an item and waits for its own result; `write` stores a list of
items in a Transaction and returns their results in order (so it can use one statement
for many rows). While one group commits, new items queue; the next group takes them
all (no timer: under load groups grow by themselves, alone an item commits at once).
A group that fails is rolled back whole and every item in it is retried alone, so one
item's failure (a full mailbox, a vanished account) is that item's only.

An item may be written twice (the group, then alone): `write` must take everything it
writes from the transaction it is given. `undo` runs when an item has finally failed,
even if its caller stopped waiting: what it made outside the database (a blob file).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from api.store.unit_of_work import Store, Transaction

__all__ = ["MAX_GROUP", "GroupCommit"]

log = logging.getLogger("sealbox.ingest")

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")
Write = Callable[[Transaction, list[ItemT]], Awaitable[list[ResultT]]]

# Writes per transaction at most: bounds the time a group holds the write lock.
MAX_GROUP = 64


@dataclass(eq=False)
class _Queued(Generic[ItemT, ResultT]):
    item: ItemT
    undo: Callable[[], Awaitable[None]] | None
    done: asyncio.Future[ResultT] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupCommit(Generic[ItemT, ResultT]):
    def __init__(self, store: Store, write: Write[ItemT, ResultT]) -> None:
        self._store = store
        self._write = write
        self._queue: list[_Queued[ItemT, ResultT]] = []
        self._committer: asyncio.Task[None] | None = None

    async def run(self, item: ItemT, undo: Callable[[], Awaitable[None]] | None = None) -> ResultT:
        """`item`'s result once its transaction committed; its exception if it failed.

        Cancelling the caller does not cancel the write: it commits, or is undone, anyway.
        """
        queued: _Queued[ItemT, ResultT] = _Queued(item, undo)
        self._queue.append(queued)
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_all())
        return await asyncio.shield(queued.done)

    async def _commit_all(self) -> None:
        while self._queue:
            group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
            try:
                await self._commit(group)
            finally:
                # Only a cancelled committer (shutdown) leaves writes unanswered.
                for item in group:
                    if not item.done.done():
                        item.done.cancel()

    async def _commit(self, group: list[_Queued[ItemT, ResultT]]) -> None:
        if len(group) > 1:
            try:
                async with self._store.transaction() as tx:
                    results = await self._write(tx, [queued.item for queued in group])
            except Exception:
                log.info("group commit retried alone", extra={"event": "ingest.group_retry"})
            else:
                for item, result in zip(group, results, strict=True):
                    item.done.set_result(result)
                return
        for item in group:
            await self._commit_alone(item)

    async def _commit_alone(self, item: _Queued[ItemT, ResultT]) -> None:
        try:
            async with self._store.transaction() as tx:
                (result,) = await self._write(tx, [item.item])
        except Exception as error:
            if item.undo is not None:
                await item.undo()
            item.done.set_exception(error)
        else:
            item.done.set_result(result)
