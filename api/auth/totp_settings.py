"""Turning TOTP on and off from a signed-in session, behind the sign-in throttle.

Confirming and disabling both check a code, so they are guessing oracles like the
second sign-in step; wrong codes count against the same per-account and per-client
limits.
"""

from __future__ import annotations

from api.auth.throttle import LoginThrottle
from api.core.errors import AccountNotFoundError, InvalidTotpError
from api.core.totp import TotpEnrolment, TotpService
from api.core.unlocked import UnlockedAccount
from api.store.records import AccountRecord
from api.store.unit_of_work import Store

__all__ = ["TotpSettings"]


class TotpSettings:
    def __init__(self, store: Store, totp: TotpService, throttle: LoginThrottle) -> None:
        self._store = store
        self._totp = totp
        self._throttle = throttle

    async def account(self, unlocked: UnlockedAccount) -> AccountRecord:
        async with self._store.transaction() as tx:
            account = await tx.accounts.get(unlocked.account_id)
        if account is None:
            raise AccountNotFoundError()
        return account

    async def enrol(self, unlocked: UnlockedAccount) -> TotpEnrolment:
        return await self._totp.begin_enrolment(await self.account(unlocked))

    async def confirm(self, unlocked: UnlockedAccount, code: str, *, client: str) -> None:
        account = await self.account(unlocked)
        await self._throttle.check(account.address, client)
        try:
            await self._totp.confirm_enrolment(account, unlocked.master_key, code)
        except InvalidTotpError:
            await self._throttle.failed(account.address, client)
            raise

    async def disable(self, unlocked: UnlockedAccount, code: str, *, client: str) -> None:
        account = await self.account(unlocked)
        await self._throttle.check(account.address, client)
        try:
            await self._totp.disable_with_code(account, unlocked.master_key, code)
        except InvalidTotpError:
            await self._throttle.failed(account.address, client)
            raise
