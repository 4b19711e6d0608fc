"""Removing a passkey from a signed-in session (WebAuthn L3 7.2 for the fresh proof).

When the passkey is the account's last second factor, removing it turns two-factor
sign-in off, so it needs the same fresh proof as turning TOTP off: a current use of
the factor itself (here an assertion from one of the account's passkeys), not merely
a session left open. Wrong proofs count against the sign-in throttle.
"""

from __future__ import annotations

from typing import Any

from api.auth.passkeys import PasskeyService
from api.auth.throttle import LoginThrottle
from api.auth.webauthn_ceremonies import credential_raw_id
from api.core.errors import (
    AccountNotFoundError,
    InvalidPasskeyError,
    PasskeyNotFoundError,
    PasskeyProofRequiredError,
)
from api.core.unlocked import UnlockedAccount
from api.store.ids import PasskeyId
from api.store.unit_of_work import Store

__all__ = ["PasskeyRemoval"]

PURPOSE = "remove"


class PasskeyRemoval:
    def __init__(self, store: Store, passkeys: PasskeyService, throttle: LoginThrottle) -> None:
        self._store = store
        self._passkeys = passkeys
        self._throttle = throttle

    async def options(self, unlocked: UnlockedAccount) -> dict[str, Any]:
        """Assertion options, bound to this account, for the proof a removal may need."""
        allowed = await self._passkeys.list(unlocked.account_id)
        return await self._passkeys.relying_party.authentication_options(
            PURPOSE, account_id=unlocked.account_id, allowed=allowed
        )

    async def remove(
        self,
        unlocked: UnlockedAccount,
        passkey_id: str,
        credential: dict[str, Any] | None,
        *,
        client: str,
    ) -> None:
        """Deletes the credential and, with its row, the MK slot its PRF output opened."""
        proven = False
        if credential is not None:
            await self._prove(unlocked, credential, client)
            proven = True
        async with self._store.transaction() as tx:
            account = await tx.accounts.get(unlocked.account_id)
            if account is None:
                raise AccountNotFoundError()
            if not await tx.passkeys.remove(account.id, PasskeyId(passkey_id)):
                raise PasskeyNotFoundError()
            # Counted after the delete, in the same transaction: the rollback undoes it.
            last_factor = not account.has_second_factor and not await tx.passkeys.list(account.id)
            if last_factor and not proven:
                raise PasskeyProofRequiredError()

    async def _prove(
        self, unlocked: UnlockedAccount, credential: dict[str, Any], client: str
    ) -> None:
        address = unlocked.address
        await self._throttle.check(address, client)
        try:
            async with self._store.transaction() as tx:
                passkey = await tx.passkeys.get_by_credential_id(credential_raw_id(credential))
            if passkey is None or passkey.account_id != unlocked.account_id:
                raise InvalidPasskeyError()
            ceremony = await self._passkeys.relying_party.take(credential, PURPOSE)
            if ceremony.record.account_id != unlocked.account_id:
                raise InvalidPasskeyError()
            await self._passkeys.check_assertion(credential, ceremony, passkey, uv=False)
        except InvalidPasskeyError:
            await self._throttle.failed(address, client)
            raise
