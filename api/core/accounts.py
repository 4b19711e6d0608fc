"""Accounts: creation with a fresh key hierarchy, listing, removal.

A new account gets a random master key (MK) wrapped by the password's kek, an X25519
key pair whose private half MK wraps, optional recovery, and encrypted settings
(DESIGN.md, Keys).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from api.core.account_settings import AccountSettings, seal_settings
from api.core.addresses import normalize_address
from api.core.clock import now
from api.core.errors import AccountExistsError, AccountNotFoundError, DomainNotFoundError
from api.core.escrow import load_escrow_public_key, seal_escrow
from api.core.mailboxes import MailboxService
from api.core.password_keys import PasswordKeyDeriver
from api.core.password_policy import check_new_password
from api.core.unlocked import UnlockedAccount
from api.store.blobs.backend import BlobBackend
from api.store.errors import StoreConflictError
from api.store.ids import AccountId, new_id
from api.store.records import AccountRecord, NewAccount
from api.store.unit_of_work import Store
from crypto.codes import derive_code_keys, generate_code
from crypto.kdf import new_salt
from crypto.keypair import generate_keypair, wrap_private_key
from crypto.master_key import MasterKey
from crypto.secret_value import SecretStr
from crypto.slots import wrap_master_key
from crypto.verifier import make_verifier

__all__ = ["AccountService", "CreatedAccount", "PasswordSlot", "RecoveryMode", "RecoverySlot"]

RecoveryMode = Literal["none", "code", "escrow"]
RECOVERY_PURPOSE = "recovery"


@dataclass(frozen=True)
class CreatedAccount:
    account: AccountRecord
    # Shown once to the person, never stored in clear.
    recovery_code: str | None


@dataclass(frozen=True)
class PasswordSlot:
    salt: bytes
    time_cost: int
    memory_kib: int
    parallelism: int
    verifier: bytes
    slot: bytes


@dataclass(frozen=True)
class RecoverySlot:
    salt: bytes | None
    slot: bytes | None
    code: str | None


class AccountService:
    def __init__(
        self,
        store: Store,
        deriver: PasswordKeyDeriver,
        escrow_public_key: str,
        mailboxes: MailboxService,
        blob_files: BlobBackend,
    ) -> None:
        self._store = store
        self._blob_files = blob_files
        self._deriver = deriver
        self._escrow_public_key = escrow_public_key
        self._mailboxes = mailboxes

    async def password_slot(
        self, account_id: AccountId, master_key: MasterKey, password: SecretStr
    ) -> PasswordSlot:
        """Derive keys for a new password and wrap MK under them (no mail is re-encrypted)."""
        params = self._deriver.default_params
        salt = new_salt()
        keys = await self._deriver.derive(password, salt, params)
        return PasswordSlot(
            salt=salt,
            time_cost=params.time_cost,
            memory_kib=params.memory_kib,
            parallelism=params.parallelism,
            verifier=make_verifier(keys.auth_key),
            slot=wrap_master_key(keys.kek, master_key, account_id=account_id, slot="password"),
        )

    def recovery_slot(
        self, account_id: AccountId, master_key: MasterKey, mode: RecoveryMode
    ) -> RecoverySlot:
        if mode == "code":
            code, salt = generate_code(), new_salt()
            kek = derive_code_keys(code, salt, RECOVERY_PURPOSE).kek
            slot = wrap_master_key(kek, master_key, account_id=account_id, slot="recovery")
            return RecoverySlot(salt=salt, slot=slot, code=code)
        if mode == "escrow":
            public_key = load_escrow_public_key(self._escrow_public_key)
            return RecoverySlot(
                salt=None, slot=seal_escrow(public_key, master_key, account_id), code=None
            )
        return RecoverySlot(salt=None, slot=None, code=None)

    async def create(
        self,
        address: str,
        password: SecretStr,
        *,
        recovery: RecoveryMode = "none",
        display_name: str = "",
    ) -> CreatedAccount:
        address = normalize_address(address)
        check_new_password(password.reveal(), address=address)
        account_id = AccountId(new_id("a"))
        master_key = MasterKey.generate()
        keypair = generate_keypair()
        recovery_slot = self.recovery_slot(account_id, master_key, recovery)
        password_slot = await self.password_slot(account_id, master_key, password)
        settings = AccountSettings(display_name=display_name)
        async with self._store.transaction() as tx:
            domain = await tx.accounts.get_domain(address.partition("@")[2])
            if domain is None:
                raise DomainNotFoundError(
                    f"{address.partition('@')[2]} is not hosted here; add it with "
                    "`sealbox domain add` first"
                )
            new = NewAccount(
                id=account_id,
                address=address,
                domain_id=domain.id,
                created_at=now(),
                password_salt=password_slot.salt,
                argon2_time_cost=password_slot.time_cost,
                argon2_memory_kib=password_slot.memory_kib,
                argon2_parallelism=password_slot.parallelism,
                password_verifier=password_slot.verifier,
                password_slot=password_slot.slot,
                recovery_mode=recovery,
                recovery_salt=recovery_slot.salt,
                recovery_slot=recovery_slot.slot,
                public_key=keypair.public_key,
                wrapped_private_key=wrap_private_key(
                    master_key, keypair.private_key, account_id=account_id
                ),
                settings_blob=seal_settings(master_key, account_id, settings),
            )
            try:
                record = await tx.accounts.add_account(new)
            except StoreConflictError as exc:
                raise AccountExistsError(f"{address} already has an account") from exc
        # Made now, while MK is at hand: delivery must find an Inbox without any key.
        await self._mailboxes.create_defaults(UnlockedAccount(account_id, address, master_key))
        return CreatedAccount(account=record, recovery_code=recovery_slot.code)

    async def get(self, address: str) -> AccountRecord:
        address = normalize_address(address)
        async with self._store.transaction() as tx:
            record = await tx.accounts.get_by_address(address)
        if record is None:
            raise AccountNotFoundError(f"no account has the address {address}")
        return record

    async def list(self) -> Sequence[AccountRecord]:
        async with self._store.transaction() as tx:
            return await tx.accounts.list_accounts()

    async def set_quota(self, account_id: AccountId, octets: int | None) -> None:
        """This account's mail limit; None falls back to the node's, 0 means none."""
        async with self._store.transaction() as tx:
            await tx.accounts.set_quota(account_id, octets)

    async def remove(self, address: str) -> None:
        """Remove the account with its mail, contacts and settings, blobs included."""
        record = await self.get(address)
        async with self._store.transaction() as tx:
            blob_ids = await tx.accounts.remove(record.id)
        # After the commit: the rows held the data keys, so what a crash leaves here is
        # ciphertext nothing can open, and a later removal is not blocked by it.
        for blob_id in blob_ids:
            await self._blob_files.delete(blob_id)
