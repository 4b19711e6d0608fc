"""TOTP second factor (RFC 6238): enrolment, removal and code checks with replay refusal.

The secret is sealed to the account's public key, so an operator can enrol it without
the password, yet only an unlocked session can read it to check a code. Enrolment from
Settings is two steps: a pending secret, which turns on only once a code from it
verifies.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.core.errors import InvalidTotpError, TotpStateError
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

__all__ = ["TotpEnrolment", "TotpService"]


@dataclass(frozen=True, repr=False)
class TotpEnrolment:
    # The otpauth:// URI carries the secret too, so it is wrapped like it: an f-string,
    # a log line or a traceback's locals show "<redacted>", only .reveal() the URI.
    uri: SecretStr
    secret: SecretStr  # shown once, for apps that cannot scan

    def __repr__(self) -> str:
        return "TotpEnrolment(<secret redacted>)"


def _info(account_id: AccountId) -> bytes:
    return bind(b"sealbox/v1/totp", account_id)


class TotpService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def enable(self, account: AccountRecord) -> SecretStr:
        """Enrol a new secret and return its otpauth:// URI (for a QR code), once."""
        if account.has_second_factor:
            raise TotpStateError("two-factor sign-in is already on; disable it first")
        secret = new_totp_secret()
        async with self._store.transaction() as tx:
            await tx.accounts.set_totp(account.id, self._seal(account, secret))
        return SecretStr(totp_uri(secret, account=account.address))

    def _seal(self, account: AccountRecord, secret: SecretStr) -> bytes:
        return seal_to_public_key(
            account.public_key, secret.reveal().encode("ascii"), info=_info(account.id)
        )

    def _open(
        self, account: AccountRecord, master_key: MasterKey, sealed: bytes
    ) -> SecretStr | None:
        try:
            private_key = unwrap_private_key(
                master_key, account.wrapped_private_key, account_id=account.id
            )
            raw = open_with_private_key(private_key, sealed, info=_info(account.id))
        except CryptoError:
            return None
        return SecretStr(raw.decode("ascii"))

    async def begin_enrolment(self, account: AccountRecord) -> TotpEnrolment:
        """Store a new pending secret (replacing any earlier one) and return it, once."""
        if account.has_second_factor:
            raise TotpStateError("two-factor sign-in is already on; disable it first")
        secret = new_totp_secret()
        async with self._store.transaction() as tx:
            await tx.accounts.set_pending_totp(account.id, self._seal(account, secret))
        uri = SecretStr(totp_uri(secret, account=account.address))
        return TotpEnrolment(uri=uri, secret=secret)

    async def confirm_enrolment(
        self, account: AccountRecord, master_key: MasterKey, code: str
    ) -> None:
        """Turn the pending secret on if `code` is one of its current codes."""
        pending = account.totp_pending_sealed_secret
        if account.has_second_factor or pending is None:
            raise TotpStateError("there is no pending two-factor enrolment; start again")
        secret = self._open(account, master_key, pending)
        step = None if secret is None else verify_totp(secret, code, last_used_step=None)
        if step is None:
            raise InvalidTotpError()
        async with self._store.transaction() as tx:
            if not await tx.accounts.activate_pending_totp(account.id, expected=pending, step=step):
                raise TotpStateError("the enrolment changed meanwhile; start again")

    async def disable_with_code(
        self, account: AccountRecord, master_key: MasterKey, code: str
    ) -> None:
        """Turn TOTP off from a session, which must show a current code first."""
        if not account.has_second_factor:
            raise TotpStateError("two-factor sign-in is already off")
        if not await self.check(account, master_key, code):
            raise InvalidTotpError()
        await self.disable(account)

    async def disable(self, account: AccountRecord) -> None:
        if not account.has_second_factor:
            raise TotpStateError("two-factor sign-in is already off")
        async with self._store.transaction() as tx:
            await tx.accounts.set_totp(account.id, None)

    async def check(self, account: AccountRecord, master_key: MasterKey, code: str) -> bool:
        """True once per time step for a right code; a replayed step is refused."""
        if account.totp_sealed_secret is None:
            return False
        secret = self._open(account, master_key, account.totp_sealed_secret)
        if secret is None:
            return False
        step = verify_totp(secret, code, last_used_step=account.totp_last_step)
        if step is None:
            return False
        async with self._store.transaction() as tx:
            return await tx.accounts.claim_totp_step(account.id, step)
