"""Failed sign-in counting per account and per client address, shared by all nodes.

Counters live in the database under HMAC keys, so the table names no address or IP.
An unknown address is counted exactly like a known one: the answer must not tell them
apart.
"""

from __future__ import annotations

import hashlib
import hmac

from api.core.clock import now
from api.core.errors import TooManyAttemptsError
from api.store.unit_of_work import Store

__all__ = ["LoginThrottle"]


class LoginThrottle:
    def __init__(
        self, store: Store, *, max_per_account: int, max_per_client: int, window_seconds: int
    ) -> None:
        self._store = store
        self._limits = {"account": max_per_account, "client": max_per_client}
        self._window = window_seconds
        self._secret: bytes | None = None

    async def _key(self, kind: str, value: str) -> bytes:
        if self._secret is None:
            async with self._store.transaction() as tx:
                self._secret = await tx.throttle.instance_secret("login-throttle")
        return hmac.new(self._secret, f"{kind}\x00{value}".encode(), hashlib.sha256).digest()

    async def _keys(self, address: str, client: str) -> dict[str, bytes]:
        return {
            "account": await self._key("account", address),
            "client": await self._key("client", client),
        }

    async def check(self, address: str, client: str) -> None:
        """Raise TooManyAttemptsError while either counter is at its limit."""
        current = now()
        window_start = current - self._window
        keys = await self._keys(address, client)
        async with self._store.transaction() as tx:
            for kind, key in keys.items():
                failures, started = await tx.throttle.failures(key, window_start)
                if failures >= self._limits[kind]:
                    raise TooManyAttemptsError(max(1, started + self._window - current))

    async def failed(self, address: str, client: str) -> None:
        current = now()
        keys = await self._keys(address, client)
        async with self._store.transaction() as tx:
            for key in keys.values():
                await tx.throttle.record_failure(key, current, current - self._window)
            await tx.throttle.purge_before(current - 2 * self._window)

    async def check_client(self, client: str) -> None:
        """The client's counter alone: passwordless sign-in before the account is known."""
        window_start = now() - self._window
        key = await self._key("client", client)
        async with self._store.transaction() as tx:
            failures, started = await tx.throttle.failures(key, window_start)
        if failures >= self._limits["client"]:
            raise TooManyAttemptsError(max(1, started + self._window - now()))

    async def failed_client(self, client: str) -> None:
        current = now()
        key = await self._key("client", client)
        async with self._store.transaction() as tx:
            await tx.throttle.record_failure(key, current, current - self._window)

    async def succeeded(self, address: str) -> None:
        # Only the account's counter: one valid password must not reset a client's count.
        key = await self._key("account", address)
        async with self._store.transaction() as tx:
            await tx.throttle.clear(key)
