"""Which node seals an account's index: a lease row per account (api.store.search_leases).

Several nodes can serve one account (PostgreSQL and a shared blob store); two writers
would each seal their own segments and overwrite each other's meta.json. So one node at
a time holds the account's lease and seals; it renews the lease with every seal and when
it is used, and releases it when the index closes. A lease that runs out (its node
crashed, or left the index idle) can be taken by any node. The node id is random per
process: a restarted node is a new holder and simply waits out, or takes over, its old
lease. Expiry compares wall clocks of the nodes: keep them in sync (NTP), well inside
the lease time.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from api.store.ids import AccountId
from api.store.search_leases import LeaseView
from api.store.unit_of_work import Store, Transaction

__all__ = ["WriterLease"]


class WriterLease:
    def __init__(
        self, store: Store, seconds: float, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._millis = int(seconds * 1000)
        self._clock = clock
        self.node = secrets.token_hex(8)

    @property
    def renew_after(self) -> float:
        """Seconds of use after which the holder renews (a third of the lease)."""
        return self._millis / 3000

    def _now(self) -> int:
        return int(self._clock() * 1000)

    async def acquire(self, account_id: AccountId) -> bool:
        """Take the lease (free, run out, or ours already) or renew it."""
        now = self._now()
        async with self._store.transaction() as tx:
            return await tx.search_leases.acquire(account_id, self.node, now, now + self._millis)

    async def seal(self, tx: Transaction, account_id: AccountId) -> bool:
        """In the caller's transaction: a new generation if the lease is still ours."""
        return await tx.search_leases.seal(account_id, self.node, self._now() + self._millis)

    async def seize(self, tx: Transaction, account_id: AccountId) -> None:
        """In the caller's transaction: the lease is ours, whoever held it."""
        await tx.search_leases.seize(account_id, self.node, self._now() + self._millis)

    async def release(self, account_id: AccountId) -> None:
        async with self._store.transaction() as tx:
            await tx.search_leases.release(account_id, self.node)

    def held(self, view: LeaseView | None) -> bool:
        return view is not None and view.holder == self.node

    def takeable(self, view: LeaseView | None) -> bool:
        """Whether acquiring would succeed now: no lease, ours, or run out."""
        return view is None or view.holder == self.node or view.expires_at <= self._now()
