"""Signing in with a passkey (WebAuthn L3 7.2): as the second factor after the password,
or passwordless, where the passkey's PRF output unwraps MK from its slot.

A passkey without a slot can never unlock mail: the server has nothing else that
opens MK, and that is the point (zero access).
"""

from __future__ import annotations

from typing import Any

from webauthn.helpers import bytes_to_base64url

from api.auth.login import LoginService, SignedIn
from api.auth.passkeys import PasskeyService, prf_slot
from api.auth.sessions import PendingChallenge, SessionManager
from api.auth.throttle import LoginThrottle
from api.auth.webauthn_ceremonies import credential_raw_id
from api.core.errors import InvalidPasskeyError, InvalidTotpError, PasskeyCannotUnlockError
from api.store.passkey_records import PasskeyRecord
from api.store.unit_of_work import Store
from crypto.errors import CryptoError
from crypto.master_key import MasterKey
from crypto.passkey_keys import passkey_slot_name, passkey_wrapping_key
from crypto.slots import unwrap_master_key

__all__ = ["PasskeyLogin"]


def _unlock(passkey: PasskeyRecord, prf_output: bytes) -> MasterKey | None:
    if passkey.slot is None:
        return None
    encoded = bytes_to_base64url(passkey.credential_id)
    try:
        key = passkey_wrapping_key(prf_output, account_id=passkey.account_id, credential_id=encoded)
        return unwrap_master_key(
            key, passkey.slot, account_id=passkey.account_id, slot=passkey_slot_name(encoded)
        )
    except CryptoError:
        return None


class PasskeyLogin:
    def __init__(
        self,
        store: Store,
        passkeys: PasskeyService,
        sessions: SessionManager,
        throttle: LoginThrottle,
        login: LoginService,
    ) -> None:
        self._store = store
        self._passkeys = passkeys
        self._rp = passkeys.relying_party
        self._sessions = sessions
        self._throttle = throttle
        self._login = login

    async def _lookup(self, credential: dict[str, Any]) -> PasskeyRecord | None:
        async with self._store.transaction() as tx:
            return await tx.passkeys.get_by_credential_id(credential_raw_id(credential))

    async def complete_second_factor(
        self, challenge: str, credential: dict[str, Any], prf_output: bytes | None, client: str
    ) -> SignedIn:
        pending = await self._sessions.open_challenge(challenge)
        if pending is None:
            raise InvalidTotpError("this sign-in has expired; start again with your password")
        address = pending.account.address
        await self._throttle.check(address, client)
        try:
            passkey = await self._second_factor(pending, credential)
        except InvalidPasskeyError:
            await self._sessions.fail_challenge(pending)
            await self._throttle.failed(address, client)
            raise
        if prf_output is not None and passkey.slot is None:
            # The first sign-in with a passkey whose authenticator gave no PRF output at
            # registration: now that MK is unlocked, give it its slot.
            slot = prf_slot(
                prf_output,
                pending.master_key,
                account_id=passkey.account_id,
                credential_id=passkey.credential_id,
            )
            async with self._store.transaction() as tx:
                await tx.passkeys.set_slot(passkey.id, slot)
        await self._sessions.finish_challenge(pending)
        await self._login.signed_in(pending.account)
        token = await self._sessions.create(pending.account, pending.master_key)
        return SignedIn(token=token, account_id=pending.account.id, address=address)

    async def _second_factor(
        self, pending: PendingChallenge, credential: dict[str, Any]
    ) -> PasskeyRecord:
        passkey = await self._lookup(credential)
        if passkey is None or passkey.account_id != pending.account.id:
            raise InvalidPasskeyError()
        ceremony = await self._rp.take(credential, "second-factor")
        if ceremony.record.login_challenge_hash != pending.id_hash:
            raise InvalidPasskeyError()
        await self._passkeys.check_assertion(credential, ceremony, passkey, uv=False)
        return passkey

    async def passwordless_options(self) -> dict[str, Any]:
        # No allowCredentials: the authenticator offers its discoverable credentials.
        return await self._rp.authentication_options("passwordless")

    async def passwordless(
        self, credential: dict[str, Any], prf_output: bytes | None, client: str
    ) -> SignedIn:
        await self._throttle.check_client(client)
        passkey = await self._lookup(credential)
        async with self._store.transaction() as tx:
            account = None if passkey is None else await tx.accounts.get(passkey.account_id)
        if passkey is None or account is None:
            await self._throttle.failed_client(client)
            raise InvalidPasskeyError()
        await self._throttle.check(account.address, client)
        try:
            ceremony = await self._rp.take(credential, "passwordless")
            # The passkey is the only factor here: it must have verified the user, and
            # name the account it was registered for (no account was named before it).
            await self._passkeys.check_assertion(
                credential, ceremony, passkey, uv=True, require_handle=True
            )
        except InvalidPasskeyError:
            await self._throttle.failed(account.address, client)
            raise
        if passkey.slot is None or prf_output is None:
            raise PasskeyCannotUnlockError()
        master_key = _unlock(passkey, prf_output)
        if master_key is None:
            await self._throttle.failed(account.address, client)
            raise InvalidPasskeyError()
        await self._login.signed_in(account)
        token = await self._sessions.create(account, master_key)
        return SignedIn(token=token, account_id=account.id, address=account.address)
