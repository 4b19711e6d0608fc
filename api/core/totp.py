"""TOTP second factor (RFC 6238): enrolment, removal and code checks with replay refusal.

The secret is sealed to the account's public key, so an operator can enrol it without
the password, yet only an unlocked session can read it to check a code.
"""

from __future__ import annotations

from api.core.errors import TotpStateError
from api.store.ids import AccountId
from api.store.records import AccountRecord
from api.store.unit_of_work import Store
from crypto.errors import CryptoError
from crypto.keypair import unwrap_private_key
from crypto.labels import bind
from crypto.master_key import MasterKey
from crypto.sealing import open_with_private_key, seal_to_public_key
from crypto.secret_value import SecretStr
from crypto.totp import new_totp_secret, totp_uri, verify_totp

__all__ = ["TotpService"]


def _info(account_id: AccountId) -> bytes:
    return bind(b"sealbox/v1/totp", account_id)


class TotpService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def enable(self, account: AccountRecord) -> str:
        """Enrol a new secret and return its otpauth:// URI (for a QR code), once."""
        if account.has_second_factor:
            raise TotpStateError("two-factor sign-in is already on; disable it first")
        secret = new_totp_secret()
        sealed = seal_to_public_key(
            account.public_key, secret.reveal().encode("ascii"), info=_info(account.id)
        )
        async with self._store.transaction() as tx:
            await tx.accounts.set_totp(account.id, sealed)
        return totp_uri(secret, account=account.address)

    async def disable(self, account: AccountRecord) -> None:
        if not account.has_second_factor:
            raise TotpStateError("two-factor sign-in is already off")
        async with self._store.transaction() as tx:
            await tx.accounts.set_totp(account.id, None)

    async def check(self, account: AccountRecord, master_key: MasterKey, code: str) -> bool:
        """True once per time step for a right code; a replayed step is refused."""
        if account.totp_sealed_secret is None:
            return False
        try:
            private_key = unwrap_private_key(
                master_key, account.wrapped_private_key, account_id=account.id
            )
            raw = open_with_private_key(
                private_key, account.totp_sealed_secret, info=_info(account.id)
            )
        except CryptoError:
            return False
        secret = SecretStr(raw.decode("ascii"))
        step = verify_totp(secret, code, last_used_step=account.totp_last_step)
        if step is None:
            return False
        async with self._store.transaction() as tx:
            return await tx.accounts.claim_totp_step(account.id, step)
