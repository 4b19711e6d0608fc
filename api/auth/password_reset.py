"""Password change and recovery behind the sign-in throttle.

Both accept a secret (the current password, a recovery code) and so are guessing
oracles like sign-in itself; failures count against the same per-account and
per-client limits.
"""

from __future__ import annotations

from api.auth.throttle import LoginThrottle
from api.core.addresses import normalize_address
from api.core.errors import (
    InvalidAddressError,
    InvalidCredentialsError,
    InvalidRecoveryCodeError,
)
from api.core.passwords import PasswordService
from crypto.secret_value import SecretStr

__all__ = ["ThrottledPasswords"]


class ThrottledPasswords:
    def __init__(self, passwords: PasswordService, throttle: LoginThrottle) -> None:
        self._passwords = passwords
        self._throttle = throttle

    async def change(
        self,
        address: str,
        current: SecretStr,
        new_password: SecretStr,
        *,
        client: str,
        keep_session: bytes | None,
    ) -> None:
        await self._throttle.check(address, client)
        try:
            await self._passwords.change(address, current, new_password, keep_session=keep_session)
        except InvalidCredentialsError:
            await self._throttle.failed(address, client)
            raise

    async def recover(
        self, username: str, code: str, new_password: SecretStr, *, client: str
    ) -> str:
        try:
            address = normalize_address(username)
        except InvalidAddressError as exc:
            raise InvalidRecoveryCodeError() from exc
        await self._throttle.check(address, client)
        try:
            fresh = await self._passwords.reset_with_recovery_code(address, code, new_password)
        except InvalidRecoveryCodeError:
            await self._throttle.failed(address, client)
            raise
        await self._throttle.succeeded(address)
        return fresh
