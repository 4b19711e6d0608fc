"""Whether an address can take mail here before the message is sent (RFC 5321 3.3, RCPT).

Checked at RCPT so that DATA rarely fails for one recipient after others were stored.
What the check read (account, public key, Inbox, vacation switch) is kept as a
`DeliveryTarget`, so DATA stores the message without resolving the address again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from api.core.addresses import normalize_address
from api.core.errors import InvalidAddressError
from api.core.group_commit import GroupCommit
from api.core.quota import QuotaService
from api.store.ids import AccountId
from api.store.records import DeliveryFacts
from api.store.unit_of_work import Store, Transaction

__all__ = ["DeliveryTarget", "RecipientCheck", "RecipientStatus"]


class RecipientStatus(StrEnum):
    ACCEPTED = "accepted"
    INVALID = "invalid"
    NOT_HOSTED = "not_hosted"
    UNKNOWN = "unknown"
    FULL = "full"


@dataclass(frozen=True, slots=True)
class DeliveryTarget:
    """An accepted recipient as RCPT found it: where DATA stores the message."""

    address: str
    account_id: AccountId
    public_key: bytes
    inbox_id: str
    # Read with the rest: when off, delivery skips the vacation transaction.
    vacation_enabled: bool
    # The account's Junk mailbox, for mail the sender's DMARC policy quarantines.
    junk_id: str | None = None
    # The recipient domain's DMARC switch ("enforce" | "report"; None: the server's).
    dmarc_policy: str | None = None

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


class RecipientCheck:
    def __init__(self, store: Store, quota: QuotaService) -> None:
        self._store = store
        self._quota = quota
        # RCPTs of many sessions arriving together are read in one SELECT.
        self._reads: GroupCommit[str, DeliveryFacts | None] = GroupCommit(store, _facts_at)

    async def check(self, recipient: str) -> RecipientStatus:
        return (await self.resolve(recipient))[0]

    async def resolve(self, recipient: str) -> tuple[RecipientStatus, DeliveryTarget | None]:
        """The status, and for an accepted recipient its target; one read transaction."""
        try:
            address = normalize_address(recipient).lower()
        except InvalidAddressError:
            return RecipientStatus.INVALID, None
        domain = address.rpartition("@")[2]
        # The common case in one statement: an account's own address (whose domain, by
        # the foreign key, is hosted). Aliases and refusals take the longer way.
        facts = await self._reads.run(address)
        dmarc_policy = None if facts is None else facts.dmarc_policy
        if facts is None:
            async with self._store.transaction() as tx:
                hosted = await tx.accounts.get_domain(domain)
                if hosted is None:
                    return RecipientStatus.NOT_HOSTED, None
                account_id = await tx.accounts.resolve_recipient(address)
                if account_id is not None:
                    facts = await tx.accounts.delivery_facts(account_id)
            # An alias answers to the switch of the domain it was addressed in.
            dmarc_policy = hosted.dmarc_policy
        if facts is None or facts.inbox_id is None:
            return RecipientStatus.UNKNOWN, None
        # Only an already full mailbox is refused here: whether this message fits is
        # known after DATA, when ingest checks its size against what is left.
        limit = self._quota.limit(facts.quota_octets)
        if limit is not None and facts.mail_octets >= limit:
            return RecipientStatus.FULL, None
        target = DeliveryTarget(
            address=address,
            account_id=facts.account_id,
            public_key=facts.public_key,
            inbox_id=facts.inbox_id,
            vacation_enabled=facts.vacation_enabled,
            junk_id=facts.junk_id,
            dmarc_policy=dmarc_policy,
        )
        return RecipientStatus.ACCEPTED, target


async def _facts_at(tx: Transaction, addresses: list[str]) -> list[DeliveryFacts | None]:
    found = await tx.accounts.delivery_facts_at(addresses)
    return [found.get(address) for address in addresses]
