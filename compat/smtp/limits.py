"""Per-client-address limits of the MX (RFC 5321 7.8, "resistance to attacks"): open
connections and messages per minute."""

from __future__ import annotations

import time
from collections import defaultdict, deque

__all__ = ["ClientLimits"]

_WINDOW_SECONDS = 60.0
# Addresses remembered before silent ones are swept out.
_SWEEP_AT = 10_000


class ClientLimits:
    """In-process counters; one node's view, which is all a per-connection limit needs."""

    def __init__(self, max_connections: int, max_messages_per_minute: int) -> None:
        self._max_connections = max_connections
        self._max_messages = max_messages_per_minute
        self._open: defaultdict[str, int] = defaultdict(int)
        self._sent: defaultdict[str, deque[float]] = defaultdict(deque)

    def connect(self, ip: str) -> bool:
        """Count a new connection; False (and not counted) when the address has too many."""
        if self._open[ip] >= self._max_connections:
            return False
        self._open[ip] += 1
        return True

    def disconnect(self, ip: str) -> None:
        self._open[ip] -= 1
        if self._open[ip] <= 0:
            del self._open[ip]

    def message(self, ip: str) -> bool:
        """Count a new transaction; False when the address used up its minute."""
        now = time.monotonic()
        if len(self._sent) > _SWEEP_AT:
            self._sweep(now)
        sent = self._sent[ip]
        while sent and sent[0] <= now - _WINDOW_SECONDS:
            sent.popleft()
        if len(sent) >= self._max_messages:
            return False
        sent.append(now)
        return True

    def _sweep(self, now: float) -> None:
        """Forget addresses silent for a whole window, so the table cannot grow forever."""
        for ip in [
            ip for ip, sent in self._sent.items() if not sent or sent[-1] <= now - _WINDOW_SECONDS
        ]:
            del self._sent[ip]
