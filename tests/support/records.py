"""Store rows with placeholder key material, for tests of the store itself."""

from __future__ import annotations

from api.store.ids import AccountId, DomainId
from api.store.records import NewAccount

__all__ = ["placeholder_account"]


def placeholder_account(account_id: str, address: str, domain_id: str) -> NewAccount:
    """An account row with placeholder key material: the store treats it as opaque bytes."""
    return NewAccount(
        id=AccountId(account_id),
        address=address,
        domain_id=DomainId(domain_id),
        created_at=1_700_000_000,
        password_salt=b"s" * 16,
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        argon2_parallelism=1,
        password_verifier=b"v" * 32,
        password_slot=b"p" * 60,
        recovery_mode="none",
        recovery_salt=None,
        recovery_slot=None,
        public_key=b"k" * 32,
        wrapped_private_key=b"w" * 60,
        settings_blob=b"b" * 40,
    )
