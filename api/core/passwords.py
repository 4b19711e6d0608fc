"""Password change and password reset (recovery code or operator escrow).

Both only rewrap the master key under the new password; no mail is re-encrypted. A
change also ends every other session, since it usually follows a suspected leak.
"""

from __future__ import annotations

from api.core.accounts import RECOVERY_PURPOSE, AccountService, RecoverySlot
from api.core.addresses import normalize_address
from api.core.errors import (
    InvalidCredentialsError,
    InvalidRecoveryCodeError,
    RecoveryUnavailableError,
)
from api.core.escrow import load_escrow_private_key, open_escrow
from api.core.password_keys import PasswordKeyDeriver
from api.core.password_policy import check_new_password
from api.core.unlock import unlock_with_password
from api.store.records import AccountRecord
from api.store.unit_of_work import Store
from crypto.codes import derive_code_keys
from crypto.errors import CryptoError
from crypto.master_key import MasterKey
from crypto.secret_value import SecretStr
from crypto.slots import unwrap_master_key

__all__ = ["PasswordService"]


class PasswordService:
    def __init__(self, store: Store, deriver: PasswordKeyDeriver, accounts: AccountService) -> None:
        self._store = store
        self._deriver = deriver
        self._accounts = accounts

    async def _lookup(self, address: str) -> AccountRecord | None:
        async with self._store.transaction() as tx:
            return await tx.accounts.get_by_address(normalize_address(address))

    async def _set_password(
        self,
        account: AccountRecord,
        master_key: MasterKey,
        new_password: SecretStr,
        *,
        keep_session: bytes | None,
        next_recovery: RecoverySlot | None = None,
    ) -> None:
        """Rewrap MK under the new password, end other sessions and pending sign-ins, and
        (for a recovery reset) replace the spent code, all in one transaction."""
        check_new_password(new_password.reveal(), address=account.address)
        slot = await self._accounts.password_slot(account.id, master_key, new_password)
        async with self._store.transaction() as tx:
            if next_recovery is not None:
                # Conditional on the slot we opened: of two resets racing with one code,
                # only the first wins; the other rolls back whole.
                replaced = await tx.accounts.replace_recovery(
                    account.id,
                    expected_slot=account.recovery_slot,
                    salt=next_recovery.salt,
                    slot=next_recovery.slot,
                )
                if not replaced:
                    raise InvalidRecoveryCodeError("this recovery code was just used")
            await tx.accounts.update_password(
                account.id,
                salt=slot.salt,
                time_cost=slot.time_cost,
                memory_kib=slot.memory_kib,
                parallelism=slot.parallelism,
                verifier=slot.verifier,
                slot=slot.slot,
            )
            await tx.credentials.remove_sessions(account.id, keep=keep_session)
            await tx.credentials.remove_challenges(account.id)

    async def change(
        self,
        address: str,
        current: SecretStr,
        new_password: SecretStr,
        *,
        keep_session: bytes | None = None,
    ) -> None:
        account = await self._lookup(address)
        master_key = (
            None
            if account is None
            else (await unlock_with_password(self._deriver, account, current))
        )
        if account is None or master_key is None:
            raise InvalidCredentialsError("the current password is wrong")
        await self._set_password(account, master_key, new_password, keep_session=keep_session)

    async def reset_with_recovery_code(
        self, address: str, code: str, new_password: SecretStr
    ) -> str:
        """Set a new password from the recovery code; returns the next recovery code.

        The used code is replaced, so a code seen once (on paper, in a photo) cannot be
        used again later.
        """
        account = await self._lookup(address)
        if account is not None and account.recovery_mode == "none":
            raise RecoveryUnavailableError()
        if account is None or account.recovery_mode != "code" or account.recovery_salt is None:
            raise InvalidRecoveryCodeError()
        try:
            kek = derive_code_keys(code, account.recovery_salt, RECOVERY_PURPOSE).kek
            assert account.recovery_slot is not None
            master_key = unwrap_master_key(
                kek, account.recovery_slot, account_id=account.id, slot="recovery"
            )
        except CryptoError as exc:
            raise InvalidRecoveryCodeError() from exc
        fresh = self._accounts.recovery_slot(account.id, master_key, "code")
        assert fresh.code is not None
        await self._set_password(
            account, master_key, new_password, keep_session=None, next_recovery=fresh
        )
        return fresh.code

    async def reset_with_escrow(
        self, address: str, escrow_private_key_path: str, new_password: SecretStr
    ) -> None:
        account = await self._lookup(address)
        if account is None:
            raise InvalidRecoveryCodeError("no account has that address")
        if account.recovery_mode != "escrow" or account.recovery_slot is None:
            raise RecoveryUnavailableError("this account did not choose escrow recovery")
        private_key = load_escrow_private_key(escrow_private_key_path)
        try:
            master_key = open_escrow(private_key, account.recovery_slot, account.id)
        except CryptoError as exc:
            raise RecoveryUnavailableError("that escrow key does not open this account") from exc
        await self._set_password(account, master_key, new_password, keep_session=None)
