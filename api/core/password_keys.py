"""Argon2 key derivation off the event loop, with a bound on how many run at once.

Each run holds tens of MiB and ~100 ms of CPU; unbounded, a burst of sign-ins would
exhaust memory and stall every connection served by this process.
"""

from __future__ import annotations

import asyncio

from crypto.kdf import Argon2Params, PasswordKeys, derive_password_keys
from crypto.secret_value import SecretStr

__all__ = ["PasswordKeyDeriver"]


class PasswordKeyDeriver:
    def __init__(self, default_params: Argon2Params, max_concurrent: int) -> None:
        self.default_params = default_params
        self._slots = asyncio.Semaphore(max(1, max_concurrent))

    async def derive(self, password: SecretStr, salt: bytes, params: Argon2Params) -> PasswordKeys:
        async with self._slots:
            return await asyncio.to_thread(derive_password_keys, password, salt, params)
