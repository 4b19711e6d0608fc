"""Hosted domains: add, list, remove (refused while accounts remain), DMARC switch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

from api.core.addresses import normalize_domain
from api.core.clock import now
from api.core.errors import DomainExistsError, DomainInUseError, DomainNotFoundError
from api.store.errors import StoreConflictError
from api.store.ids import DomainId, new_id
from api.store.records import DomainRecord
from api.store.unit_of_work import Store

__all__ = ["DMARC_POLICIES", "DmarcPolicy", "DomainService"]

# What the MX does for a hosted domain's recipients when the sender's DMARC check fails
# (RFC 7489 6.7): "enforce" p=reject (550) and p=quarantine (Junk), or "report" the
# failure in Authentication-Results only.
DmarcPolicy = Literal["enforce", "report"]
DMARC_POLICIES: tuple[DmarcPolicy, ...] = get_args(DmarcPolicy)


class DomainService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(self, name: str) -> DomainRecord:
        domain = normalize_domain(name)
        try:
            async with self._store.transaction() as tx:
                return await tx.accounts.add_domain(DomainId(new_id("d")), domain, now())
        except StoreConflictError as exc:
            raise DomainExistsError(f"{domain} is already hosted here") from exc

    async def list(self) -> Sequence[DomainRecord]:
        async with self._store.transaction() as tx:
            return await tx.accounts.list_domains()

    async def remove(self, name: str) -> None:
        domain = normalize_domain(name)
        async with self._store.transaction() as tx:
            record = await tx.accounts.get_domain(domain)
            if record is None:
                raise DomainNotFoundError(f"{domain} is not hosted here")
            if await tx.accounts.count_accounts_in_domain(record.id):
                raise DomainInUseError(f"{domain} still has accounts; remove them first")
            await tx.accounts.remove_domain(record.id)

    async def set_dmarc_policy(self, name: str, policy: DmarcPolicy | None) -> None:
        """Set the domain's DMARC switch; None returns it to the server's default."""
        domain = normalize_domain(name)
        async with self._store.transaction() as tx:
            record = await tx.accounts.get_domain(domain)
            if record is None:
                raise DomainNotFoundError(f"{domain} is not hosted here")
            await tx.accounts.set_domain_dmarc_policy(record.id, policy)
