"""The limits of urn:ietf:params:jmap:core (RFC 8620 2) and the per-account request gate.

The HTTP edge enforces maxSizeRequest, maxCallsInRequest and maxConcurrentRequests; the
object limits are read by /get and /set handlers through their MethodContext.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import msgspec

from api.jmap.errors import LimitError

__all__ = ["CoreLimits", "MethodLimits", "RequestGate"]


class CoreLimits(msgspec.Struct, frozen=True, kw_only=True):
    """What the Session resource advertises under urn:ietf:params:jmap:core."""

    max_size_upload: int = 50_000_000
    max_concurrent_upload: int = 4
    max_size_request: int = 10_000_000
    max_concurrent_requests: int = 8
    max_calls_in_request: int = 64
    max_objects_in_get: int = 1000
    max_objects_in_set: int = 1000


class MethodLimits(msgspec.Struct, frozen=True, kw_only=True):
    """The limits a handler applies; None means no limit (the in-process caller)."""

    max_objects_in_get: int | None
    max_objects_in_set: int | None

    @classmethod
    def for_http(cls, core: CoreLimits) -> MethodLimits:
        return cls(
            max_objects_in_get=core.max_objects_in_get,
            max_objects_in_set=core.max_objects_in_set,
        )


class RequestGate:
    """At most `limit` API requests in flight per account (maxConcurrentRequests).

    A request over the limit is refused at once rather than queued: RFC 8620 3.6.1 asks
    for a `limit` error, and a queue would let one client hold the others up.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._in_flight: dict[str, int] = {}

    @asynccontextmanager
    async def enter(self, account_id: str) -> AsyncIterator[None]:
        # One event loop serves the node, so a plain counter is race-free between awaits.
        current = self._in_flight.get(account_id, 0)
        if current >= self._limit:
            raise LimitError(
                "maxConcurrentRequests",
                f"at most {self._limit} requests may run at once for an account",
            )
        self._in_flight[account_id] = current + 1
        try:
            yield
        finally:
            remaining = self._in_flight[account_id] - 1
            if remaining:
                self._in_flight[account_id] = remaining
            else:
                # Drop idle accounts so the map does not grow with every account ever seen.
                del self._in_flight[account_id]
