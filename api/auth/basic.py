"""Credentials sent with every request (HTTP Basic on JMAP; later IMAP, POP3, SMTP AUTH).

App passwords always work; the account password works only while the account has no
second factor. A recent unlock is reused from the in-memory cache, so a busy client
pays Argon2 once per few minutes, not once per request.
"""

from __future__ import annotations

from api.auth.login import LoginService
from api.auth.throttle import LoginThrottle
from api.auth.unlock_cache import UnlockCache
from api.core.addresses import normalize_address
from api.core.clock import DAY, now
from api.core.errors import InvalidAddressError, SecondFactorRequiredError
from api.core.unlock import unlock_with_app_password
from api.core.unlocked import UnlockedAccount
from api.store.unit_of_work import Store
from crypto.secret_value import SecretStr

__all__ = ["CredentialAuthenticator"]


class CredentialAuthenticator:
    def __init__(
        self, store: Store, login: LoginService, throttle: LoginThrottle, cache: UnlockCache
    ) -> None:
        self._store = store
        self._login = login
        self._throttle = throttle
        self._cache = cache

    async def authenticate(self, username: str, secret: SecretStr, client: str) -> UnlockedAccount:
        try:
            address = normalize_address(username)
        except InvalidAddressError:
            address = username
        async with self._store.transaction() as tx:
            account = await tx.accounts.get_by_address(address)
        if account is not None:
            # The hot path of every Basic request: one row read, no key derivation.
            cached = self._cache.get(account.id, secret.reveal(), account.credential_epoch)
            if cached is not None:
                return UnlockedAccount(
                    account.id, account.address, cached, account.wrapped_private_key
                )
            await self._throttle.check(account.address, client)
            async with self._store.transaction() as tx:
                app_passwords = await tx.credentials.list_app_passwords(account.id)
            match = unlock_with_app_password(account, app_passwords, secret.reveal())
            if match is not None:
                master_key, record = match
                await self._throttle.succeeded(account.address)
                async with self._store.transaction() as tx:
                    await tx.credentials.mark_app_password_used(record.id, now() // DAY * DAY)
                self._cache.put(account.id, secret.reveal(), account.credential_epoch, master_key)
                return UnlockedAccount(
                    account.id, account.address, master_key, account.wrapped_private_key
                )
        account, master_key = await self._login.verify_password(username, secret, client)
        if await self._login.requires_second_factor(account):
            raise SecondFactorRequiredError()
        await self._login.signed_in(account)
        self._cache.put(account.id, secret.reveal(), account.credential_epoch, master_key)
        return UnlockedAccount(account.id, account.address, master_key, account.wrapped_private_key)
