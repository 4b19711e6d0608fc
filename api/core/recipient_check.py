"""Whether an address can take mail here before the message is sent (RFC 5321 3.3, RCPT).

Checked at RCPT so that DATA rarely fails for one recipient after others were stored.
"""

from __future__ import annotations

from enum import StrEnum

from api.core.addresses import normalize_address
from api.core.errors import InvalidAddressError
from api.core.quota import QuotaService
from api.store.unit_of_work import Store

__all__ = ["RecipientCheck", "RecipientStatus"]


class RecipientStatus(StrEnum):
    ACCEPTED = "accepted"
    INVALID = "invalid"
    NOT_HOSTED = "not_hosted"
    UNKNOWN = "unknown"
    FULL = "full"


class RecipientCheck:
    def __init__(self, store: Store, quota: QuotaService) -> None:
        self._store = store
        self._quota = quota

    async def check(self, recipient: str) -> RecipientStatus:
        try:
            address = normalize_address(recipient).lower()
        except InvalidAddressError:
            return RecipientStatus.INVALID
        domain = address.rpartition("@")[2]
        async with self._store.transaction() as tx:
            if await tx.accounts.get_domain(domain) is None:
                return RecipientStatus.NOT_HOSTED
            account_id = await tx.accounts.resolve_recipient(address)
        if account_id is None:
            return RecipientStatus.UNKNOWN
        quota = await self._quota.mail(account_id)
        # Only an already full mailbox is refused here: whether this message fits is
        # known after DATA, when ingest checks its size against what is left.
        if quota.limit is not None and quota.used >= quota.limit:
            return RecipientStatus.FULL
        return RecipientStatus.ACCEPTED
