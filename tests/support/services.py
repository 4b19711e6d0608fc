"""Helpers for tests that drive the real services: accounts, unlocking, fresh records."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from api.core.accounts import CreatedAccount, RecoveryMode
from api.core.errors import DomainExistsError
from api.core.password_keys import PasswordKeyDeriver
from api.core.unlock import unlock_with_password
from api.services import Services
from api.store.ids import AccountId
from api.store.records import AccountRecord
from crypto.kdf import Argon2Params
from crypto.master_key import MasterKey
from crypto.secret_value import SecretStr

__all__ = [
    "PASSWORD",
    "ServicesFactory",
    "create_account",
    "deriver",
    "reload",
    "unlock",
]

# Builds migrated services on the test's database; keyword arguments override settings.
ServicesFactory = Callable[..., Awaitable[Services]]

# Strong enough for the password policy, so account creation never trips over it.
PASSWORD = SecretStr("lantern orbit velvet cactus")


def deriver(services: Services) -> PasswordKeyDeriver:
    """A deriver with the node's Argon2 settings, for unlocking outside the services."""
    settings = services.settings
    params = Argon2Params(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )
    return PasswordKeyDeriver(params, settings.argon2_max_concurrent)


async def create_account(
    services: Services,
    address: str = "alice@example.org",
    password: SecretStr = PASSWORD,
    *,
    recovery: RecoveryMode = "none",
    display_name: str = "",
) -> CreatedAccount:
    """Create an account, adding its domain first when it is not hosted yet."""
    with contextlib.suppress(DomainExistsError):
        await services.domains.add(address.rpartition("@")[2])
    return await services.accounts.create(
        address, password, recovery=recovery, display_name=display_name
    )


async def reload(services: Services, account_id: AccountId) -> AccountRecord:
    """The account's current row (records are snapshots; credential changes need a fresh one)."""
    async with services.store.transaction() as tx:
        record = await tx.accounts.get(account_id)
    assert record is not None, f"account {account_id} is gone"
    return record


async def unlock(
    services: Services, account_id: AccountId, password: SecretStr
) -> MasterKey | None:
    """The master key the password unlocks right now, or None."""
    return await unlock_with_password(
        deriver(services), await reload(services, account_id), password
    )
