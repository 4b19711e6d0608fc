"""Turning a secret a person presents into the account's master key, or nothing.

Every path answers "no" the same way (None), so callers cannot leak which check failed.
"""

from __future__ import annotations

from collections.abc import Sequence

from api.core.password_keys import PasswordKeyDeriver
from api.store.records import AccountRecord, AppPasswordRecord
from crypto.codes import check_code_verifier, derive_code_keys, normalize_code
from crypto.errors import CryptoError
from crypto.kdf import Argon2Params
from crypto.master_key import MasterKey
from crypto.secret_value import SecretStr
from crypto.slots import unwrap_master_key
from crypto.verifier import check_verifier

__all__ = [
    "APP_PASSWORD_PURPOSE",
    "burn_password_cost",
    "unlock_with_app_password",
    "unlock_with_password",
]

APP_PASSWORD_PURPOSE = "app-password"  # noqa: S105 (a KDF label, not a secret)


def account_params(account: AccountRecord) -> Argon2Params:
    return Argon2Params(
        time_cost=account.argon2_time_cost,
        memory_kib=account.argon2_memory_kib,
        parallelism=account.argon2_parallelism,
    )


async def unlock_with_password(
    deriver: PasswordKeyDeriver, account: AccountRecord, password: SecretStr
) -> MasterKey | None:
    keys = await deriver.derive(password, account.password_salt, account_params(account))
    if not check_verifier(keys.auth_key, account.password_verifier):
        return None
    try:
        return unwrap_master_key(
            keys.kek, account.password_slot, account_id=account.id, slot="password"
        )
    except CryptoError:
        return None


async def burn_password_cost(deriver: PasswordKeyDeriver, password: SecretStr, salt: bytes) -> None:
    """Spend what a real check costs, so an unknown address answers as slowly as a known one."""
    await deriver.derive(password, salt, deriver.default_params)


def unlock_with_app_password(
    account: AccountRecord, app_passwords: Sequence[AppPasswordRecord], secret: str
) -> tuple[MasterKey, AppPasswordRecord] | None:
    """Find the app password matching `secret`; HKDF only, so IMAP reconnects stay cheap."""
    try:
        normalize_code(secret)
    except CryptoError:
        return None
    for record in app_passwords:
        keys = derive_code_keys(secret, record.salt, APP_PASSWORD_PURPOSE)
        if not check_code_verifier(keys, record.verifier):
            continue
        try:
            slot = f"app-password:{record.id}"
            master_key = unwrap_master_key(keys.kek, record.slot, account_id=account.id, slot=slot)
        except CryptoError:
            return None
        return master_key, record
    return None
