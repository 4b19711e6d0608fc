"""Queries over domains, accounts and aliases."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Select, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

from api.store.blobs.models import BlobRow
from api.store.email_models import EmailMailboxRow, EmailRow
from api.store.errors import StoreConflictError
from api.store.identity_models import VacationResponseRow
from api.store.ids import AccountId, DomainId
from api.store.mail_models import AccountCounterRow, MailboxRow
from api.store.models import AccountRow, AliasRow, DomainRow, table_of
from api.store.records import AccountRecord, DeliveryFacts, DomainRecord, NewAccount
from api.store.submission_models import OutboundRow

__all__ = ["AccountRepository"]


def _facts_query(where: ColumnElement[bool]) -> Select[Any]:
    """What SMTP's RCPT check needs of an account, in one statement. On the tables, not
    the mapped classes, and built once: for an MX the building and the ORM's result
    handling cost more CPU than SQLite's answer."""
    accounts, counters = table_of(AccountRow), table_of(AccountCounterRow)
    mailboxes, vacations = table_of(MailboxRow), table_of(VacationResponseRow)
    domains = table_of(DomainRow)

    def mailbox_with(role: str) -> ScalarSelect[Any]:
        return (
            select(mailboxes.c.id)
            .where(mailboxes.c.account_id == accounts.c.id, mailboxes.c.role == role)
            .limit(1)
            .scalar_subquery()
        )

    return select(
        accounts.c.id,
        accounts.c.address,
        accounts.c.public_key,
        accounts.c.quota_octets,
        select(counters.c.mail_octets)
        .where(counters.c.account_id == accounts.c.id)
        .scalar_subquery(),
        mailbox_with("inbox"),
        select(vacations.c.is_enabled)
        .where(vacations.c.account_id == accounts.c.id)
        .scalar_subquery(),
        mailbox_with("junk"),
        select(domains.c.dmarc_policy)
        .where(domains.c.id == accounts.c.domain_id)
        .scalar_subquery(),
    ).where(where)


_FACTS_BY_ID = _facts_query(
    table_of(AccountRow).c.id == bindparam("account_id", type_=table_of(AccountRow).c.id.type)
)
_FACTS_AT = _facts_query(table_of(AccountRow).c.address.in_(bindparam("addresses", expanding=True)))


def _account(row: AccountRow) -> AccountRecord:
    return msgspec.convert(row, AccountRecord, from_attributes=True)


def _domain(row: DomainRow) -> DomainRecord:
    return msgspec.convert(row, DomainRecord, from_attributes=True)


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _flush(self, what: str) -> None:
        try:
            await self._session.flush()
        except IntegrityError as exc:
            raise StoreConflictError(what) from exc

    async def add_domain(self, domain_id: DomainId, name: str, created_at: int) -> DomainRecord:
        row = DomainRow(id=domain_id, name=name, created_at=created_at)
        self._session.add(row)
        await self._flush(f"domain {name} exists")
        return _domain(row)

    async def get_domain(self, name: str) -> DomainRecord | None:
        row = await self._session.scalar(select(DomainRow).where(DomainRow.name == name))
        return None if row is None else _domain(row)

    async def list_domains(self) -> Sequence[DomainRecord]:
        rows = await self._session.scalars(select(DomainRow).order_by(DomainRow.name))
        return [_domain(row) for row in rows]

    async def count_accounts_in_domain(self, domain_id: DomainId) -> int:
        query = (
            select(func.count()).select_from(AccountRow).where(AccountRow.domain_id == domain_id)
        )
        return int(await self._session.scalar(query) or 0)

    async def set_domain_dmarc_policy(self, domain_id: DomainId, policy: str | None) -> None:
        await self._session.execute(
            update(DomainRow).where(DomainRow.id == domain_id).values(dmarc_policy=policy)
        )

    async def remove_domain(self, domain_id: DomainId) -> None:
        await self._session.execute(delete(DomainRow).where(DomainRow.id == domain_id))

    async def add_account(self, account: NewAccount) -> AccountRecord:
        row = AccountRow(**msgspec.structs.asdict(account), credential_epoch=0)
        self._session.add(row)
        await self._flush(f"account {account.address} exists")
        return _account(row)

    async def get_by_address(self, address: str) -> AccountRecord | None:
        row = await self._session.scalar(select(AccountRow).where(AccountRow.address == address))
        return None if row is None else _account(row)

    async def resolve_recipient(self, address: str) -> AccountId | None:
        """The account an address delivers to: its own address or one of its aliases."""
        found = await self._session.scalar(
            select(AccountRow.id).where(AccountRow.address == address)
        )
        if found is None:
            found = await self._session.scalar(
                select(AliasRow.account_id).where(AliasRow.address == address)
            )
        return None if found is None else AccountId(found)

    async def delivery_facts(self, account_id: AccountId) -> DeliveryFacts | None:
        """Key, quota, octets used, Inbox and vacation switch of an account: one SELECT."""
        found = await self._delivery_facts(_FACTS_BY_ID, {"account_id": account_id})
        return found[0] if found else None

    async def delivery_facts_at(self, addresses: Sequence[str]) -> dict[str, DeliveryFacts]:
        """`delivery_facts` of the accounts whose own addresses these are, by address
        (an alias is not among them): one SELECT for many RCPTs."""
        if not addresses:
            return {}
        return {
            facts.address: facts
            for facts in await self._delivery_facts(_FACTS_AT, {"addresses": list(addresses)})
        }

    async def _delivery_facts(
        self, statement: Select[Any], parameters: dict[str, object]
    ) -> list[DeliveryFacts]:
        return [
            DeliveryFacts(
                account_id=AccountId(account_id),
                address=address,
                public_key=public_key,
                quota_octets=quota,
                mail_octets=octets or 0,
                inbox_id=inbox_id,
                vacation_enabled=bool(enabled),
                junk_id=junk_id,
                dmarc_policy=dmarc_policy,
            )
            for (
                account_id,
                address,
                public_key,
                quota,
                octets,
                inbox_id,
                enabled,
                junk_id,
                dmarc_policy,
            ) in await self._session.execute(statement, parameters)
        ]

    async def get(self, account_id: AccountId) -> AccountRecord | None:
        row = await self._session.get(AccountRow, account_id)
        return None if row is None else _account(row)

    async def list_accounts(self) -> Sequence[AccountRecord]:
        rows = await self._session.scalars(select(AccountRow).order_by(AccountRow.address))
        return [_account(row) for row in rows]

    async def set_quota(self, account_id: AccountId, octets: int | None) -> None:
        await self._session.execute(
            update(AccountRow).where(AccountRow.id == account_id).values(quota_octets=octets)
        )

    async def set_settings(self, account_id: AccountId, settings_blob: bytes) -> None:
        await self._session.execute(
            update(AccountRow)
            .where(AccountRow.id == account_id)
            .values(settings_blob=settings_blob)
        )

    async def remove(self, account_id: AccountId) -> list[str]:
        """Delete the account and everything it owns; returns the blob keys whose objects
        the caller deletes once this commits.

        Mail goes first, in dependency order: the account's cascade alone would reach
        mailboxes and blobs while memberships, emails and queue entries still point at
        them (RESTRICT), which PostgreSQL refuses.
        """
        execute = self._session.execute
        blob_ids = list(
            await self._session.scalars(select(BlobRow.id).where(BlobRow.account_id == account_id))
        )
        emails = select(EmailRow.id).where(EmailRow.account_id == account_id)
        await execute(delete(EmailMailboxRow).where(EmailMailboxRow.email_id.in_(emails)))
        await execute(delete(EmailRow).where(EmailRow.account_id == account_id))
        await execute(delete(OutboundRow).where(OutboundRow.account_id == account_id))
        await execute(delete(BlobRow).where(BlobRow.account_id == account_id))
        await execute(delete(AliasRow).where(AliasRow.account_id == account_id))
        await execute(delete(AccountRow).where(AccountRow.id == account_id))
        return blob_ids

    async def update_password(
        self,
        account_id: AccountId,
        *,
        salt: bytes,
        time_cost: int,
        memory_kib: int,
        parallelism: int,
        verifier: bytes,
        slot: bytes,
    ) -> None:
        await self._session.execute(
            update(AccountRow)
            .where(AccountRow.id == account_id)
            .values(
                password_salt=salt,
                argon2_time_cost=time_cost,
                argon2_memory_kib=memory_kib,
                argon2_parallelism=parallelism,
                password_verifier=verifier,
                password_slot=slot,
                credential_epoch=AccountRow.credential_epoch + 1,
            )
        )

    async def replace_recovery(
        self,
        account_id: AccountId,
        *,
        expected_slot: bytes | None,
        salt: bytes | None,
        slot: bytes | None,
    ) -> bool:
        """Swap the recovery slot only if it is still `expected_slot` (compare-and-set)."""
        result = await self._session.execute(
            update(AccountRow)
            .where(AccountRow.id == account_id)
            .where(AccountRow.recovery_slot == expected_slot)
            .values(recovery_salt=salt, recovery_slot=slot)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def set_totp(self, account_id: AccountId, sealed_secret: bytes | None) -> None:
        await self._session.execute(
            update(AccountRow)
            .where(AccountRow.id == account_id)
            .values(
                totp_sealed_secret=sealed_secret,
                totp_pending_sealed_secret=None,
                totp_last_step=None,
                credential_epoch=AccountRow.credential_epoch + 1,
            )
        )

    async def set_pending_totp(self, account_id: AccountId, sealed_secret: bytes | None) -> None:
        await self._session.execute(
            update(AccountRow)
            .where(AccountRow.id == account_id)
            .values(totp_pending_sealed_secret=sealed_secret)
        )

    async def activate_pending_totp(
        self, account_id: AccountId, *, expected: bytes, step: int
    ) -> bool:
        """Turn the pending secret on, only if it is still `expected` and TOTP is off
        (compare-and-set); `step`, the confirming code's, counts as used."""
        result = await self._session.execute(
            update(AccountRow)
            .where(AccountRow.id == account_id)
            .where(AccountRow.totp_sealed_secret.is_(None))
            .where(AccountRow.totp_pending_sealed_secret == expected)
            .values(
                totp_sealed_secret=expected,
                totp_pending_sealed_secret=None,
                totp_last_step=step,
                credential_epoch=AccountRow.credential_epoch + 1,
            )
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def claim_totp_step(self, account_id: AccountId, step: int) -> bool:
        """Record `step` as used unless it (or a later one) was used: refuses replays."""
        result = await self._session.execute(
            update(AccountRow)
            .where(AccountRow.id == account_id)
            .where((AccountRow.totp_last_step.is_(None)) | (AccountRow.totp_last_step < step))
            .values(totp_last_step=step)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def bump_credential_epoch(self, account_id: AccountId) -> None:
        await self._session.execute(
            update(AccountRow)
            .where(AccountRow.id == account_id)
            .values(credential_epoch=AccountRow.credential_epoch + 1)
        )
