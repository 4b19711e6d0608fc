"""The account's mail quota (RFC 9425): octets of live mail against its limit."""

from __future__ import annotations

from dataclasses import dataclass

from api.core.errors import AccountNotFoundError, OverQuotaError
from api.store.ids import AccountId
from api.store.unit_of_work import Store, Transaction

__all__ = ["MailQuota", "QuotaService", "charge_mail", "check_quota"]


def check_quota(used: int, account_quota: int | None, default_quota: int) -> None:
    """Raise OverQuotaError when `used` octets exceed the account's limit (0: none)."""
    limit = account_quota if account_quota is not None else default_quota
    if limit and used > limit:
        raise OverQuotaError(f"the mailbox is full ({limit} octets); delete some mail")


async def charge_mail(
    tx: Transaction, account_id: AccountId, size: int, default_quota: int
) -> None:
    """Count `size` octets of new live mail against the quota, or raise OverQuotaError
    with the charge taken back (so a caller that goes on, like restore, stays exact)."""
    used = await tx.changes.add_mail_octets(account_id, size)
    account = await tx.accounts.get(account_id)
    if account is None:
        raise AccountNotFoundError()
    try:
        check_quota(used, account.quota_octets, default_quota)
    except OverQuotaError:
        await tx.changes.add_mail_octets(account_id, -size)
        raise


@dataclass(frozen=True, slots=True)
class MailQuota:
    used: int
    # None: no limit, so there is no Quota object to show.
    limit: int | None


class QuotaService:
    def __init__(self, store: Store, default_quota: int) -> None:
        self._store = store
        self._default = default_quota

    def limit(self, account_quota: int | None) -> int | None:
        """The limit of an account whose own setting is `account_quota` (None: no limit)."""
        limit = account_quota if account_quota is not None else self._default
        return limit or None

    async def mail(self, account_id: AccountId) -> MailQuota:
        async with self._store.transaction() as tx:
            account = await tx.accounts.get(account_id)
            used = await tx.changes.mail_octets(account_id)
        if account is None:
            raise AccountNotFoundError()
        return MailQuota(used=used, limit=self.limit(account.quota_octets))
