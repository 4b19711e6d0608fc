"""App passwords: random per-client secrets for IMAP, SMTP and JMAP Basic auth.

Each one wraps the master key in its own slot, so revoking one never touches the others.
Creating one needs the unlocked master key, i.e. the account password.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api.core.clock import now
from api.core.errors import AppPasswordNotFoundError
from api.core.unlock import APP_PASSWORD_PURPOSE
from api.core.unlocked import UnlockedAccount
from api.store.ids import AccountId, AppPasswordId, new_id
from api.store.records import AppPasswordRecord
from api.store.unit_of_work import Store
from crypto.codes import derive_code_keys, generate_code
from crypto.kdf import new_salt
from crypto.slots import wrap_master_key

__all__ = ["AppPasswordService", "NewAppPassword"]

MAX_NAME_LENGTH = 100


@dataclass(frozen=True, repr=False)
class NewAppPassword:
    record: AppPasswordRecord
    secret: str  # shown once

    def __repr__(self) -> str:
        return f"NewAppPassword({self.record.id}, <secret redacted>)"


class AppPasswordService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def create(self, unlocked: UnlockedAccount, name: str) -> NewAppPassword:
        label = " ".join(name.split())[:MAX_NAME_LENGTH] or "app password"
        app_id = AppPasswordId(new_id("p"))
        secret, salt = generate_code(), new_salt()
        keys = derive_code_keys(secret, salt, APP_PASSWORD_PURPOSE)
        record = AppPasswordRecord(
            id=app_id,
            account_id=unlocked.account_id,
            name=label,
            salt=salt,
            verifier=keys.verifier,
            slot=wrap_master_key(
                keys.kek,
                unlocked.master_key,
                account_id=unlocked.account_id,
                slot=f"app-password:{app_id}",
            ),
            created_at=now(),
            last_used_day=None,
        )
        async with self._store.transaction() as tx:
            await tx.credentials.add_app_password(record)
        return NewAppPassword(record=record, secret=secret)

    async def list(self, account_id: AccountId) -> Sequence[AppPasswordRecord]:
        async with self._store.transaction() as tx:
            return await tx.credentials.list_app_passwords(account_id)

    async def revoke(self, account_id: AccountId, app_id: str) -> None:
        async with self._store.transaction() as tx:
            if not await tx.credentials.remove_app_password(account_id, AppPasswordId(app_id)):
                raise AppPasswordNotFoundError(f"no app password with id {app_id}")
            # Unlock caches on every node compare this epoch and drop the revoked unlock.
            await tx.accounts.bump_credential_epoch(account_id)
