"""Whole sorted id lists of recent plaintext Email/queries, kept per node so that a deep
`position` (a webmail list jumping or flung far down a 100,000-message mailbox) is a slice,
not an OFFSET walk of that many rows (RFC 8620 5.5 windows over one result).

A list is keyed by its account, filter, sort and the Email state it was read at: any
change to the account's mail moves the state, so a stale list is never used, and every
node keys by the state it reads from the database. Only ids are kept (no mail content);
the total is bounded, oldest first out.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

__all__ = ["DEEP_POSITION", "QueryResults"]

# From here on a window is taken from the whole list: shallower pages stay one LIMIT read.
DEEP_POSITION = 500
_MAX_IDS = 500_000  # about 35 MB of ids over all kept lists


class QueryResults:
    def __init__(self, max_ids: int = _MAX_IDS) -> None:
        self._lists: OrderedDict[Hashable, list[str]] = OrderedDict()
        self._held = 0
        self._max_ids = max_ids

    def get(self, key: Hashable) -> list[str] | None:
        ids = self._lists.get(key)
        if ids is not None:
            self._lists.move_to_end(key)
        return ids

    def put(self, key: Hashable, ids: list[str]) -> None:
        if len(ids) > self._max_ids:
            return
        old = self._lists.pop(key, None)
        self._held -= len(old or ())
        self._lists[key] = ids
        self._held += len(ids)
        while self._held > self._max_ids:
            _, dropped = self._lists.popitem(last=False)
            self._held -= len(dropped)
