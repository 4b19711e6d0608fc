"""Recently unlocked master keys, in process memory only, for clients that resend secrets.

JMAP clients with Basic auth and IMAP reconnects present the same secret again and again;
paying Argon2 each time would make them slow and the server easy to overload. Entries are
keyed by an HMAC of (account, secret) under a per-process random key, expire after a few
minutes, and die when the account's credential epoch moves (password change, revocation).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

from api.store.ids import AccountId
from crypto.master_key import MasterKey

__all__ = ["UnlockCache"]


@dataclass(frozen=True, repr=False)
class _Entry:
    master_key: MasterKey
    epoch: int
    expires: float


class UnlockCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._key = secrets.token_bytes(32)
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()

    def _slot(self, account_id: AccountId, secret: str) -> bytes:
        message = account_id.encode() + b"\x00" + secret.encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def get(self, account_id: AccountId, secret: str, epoch: int) -> MasterKey | None:
        slot = self._slot(account_id, secret)
        entry = self._entries.get(slot)
        if entry is None:
            return None
        if entry.epoch != epoch or entry.expires < time.monotonic():
            del self._entries[slot]
            return None
        return entry.master_key

    def put(self, account_id: AccountId, secret: str, epoch: int, master_key: MasterKey) -> None:
        if self._ttl <= 0:
            return
        slot = self._slot(account_id, secret)
        self._entries[slot] = _Entry(master_key, epoch, time.monotonic() + self._ttl)
        self._entries.move_to_end(slot)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
