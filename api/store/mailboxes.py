"""Queries over mailboxes (RFC 8621 2); names arrive and leave sealed."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.ids import AccountId
from api.store.mail_models import MailboxRow
from api.store.models import table_of
from api.store.records import MailboxRecord

__all__ = ["MailboxRepository"]

_MAILBOXES = table_of(MailboxRow)
# Every group of deliveries runs it: on the table and built once, as the change log's.
_TAKE_UIDS = (
    update(_MAILBOXES)
    .where(
        _MAILBOXES.c.account_id
        == bindparam("mailbox_account_id", type_=_MAILBOXES.c.account_id.type)
    )
    .where(_MAILBOXES.c.id == bindparam("uid_mailbox_id", type_=_MAILBOXES.c.id.type))
    .values(
        uid_next=_MAILBOXES.c.uid_next + bindparam("uid_count", type_=_MAILBOXES.c.uid_next.type)
    )
    .returning(_MAILBOXES.c.uid_next)
)


def _record(row: MailboxRow) -> MailboxRecord:
    return msgspec.convert(row, MailboxRecord, from_attributes=True)


class MailboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: MailboxRecord) -> None:
        self._session.add(MailboxRow(**msgspec.structs.asdict(record)))
        await self._session.flush()

    async def list(self, account_id: AccountId) -> Sequence[MailboxRecord]:
        rows = await self._session.scalars(
            select(MailboxRow).where(MailboxRow.account_id == account_id).order_by(MailboxRow.id)
        )
        return [_record(row) for row in rows]

    async def with_role(self, account_id: AccountId, role: str) -> str | None:
        """The id of the mailbox with `role` (roles are plaintext: delivery needs the inbox)."""
        return await self._session.scalar(
            select(MailboxRow.id)
            .where(MailboxRow.account_id == account_id)
            .where(MailboxRow.role == role)
        )

    async def allocate_uid_block(
        self, account_id: AccountId, mailbox_id: str, count: int
    ) -> int | None:
        """`count` consecutive UIDs of one mailbox at once: the first, None if it is gone.

        The same rule as allocate_uids: callers hold the account's change-log lock.
        """
        parameters = {
            "mailbox_account_id": account_id,
            "uid_mailbox_id": mailbox_id,
            "uid_count": count,
        }
        uid_next = (await self._session.execute(_TAKE_UIDS, parameters)).scalar_one_or_none()
        return None if uid_next is None else int(uid_next) - count

    async def update(self, account_id: AccountId, mailbox_id: str, **values: object) -> None:
        """Set columns of one mailbox; callers pass only names of MailboxRecord fields."""
        await self._session.execute(
            update(MailboxRow)
            .where(MailboxRow.account_id == account_id)
            .where(MailboxRow.id == mailbox_id)
            .values(**values)
        )

    async def remove(self, account_id: AccountId, mailbox_id: str) -> None:
        await self._session.execute(
            delete(MailboxRow)
            .where(MailboxRow.account_id == account_id)
            .where(MailboxRow.id == mailbox_id)
        )

    async def mark_expunged(
        self, account_id: AccountId, mailbox_ids: Sequence[str], modseq: int
    ) -> None:
        """Messages left these mailboxes at `modseq` (one UPDATE per batch, not per email)."""
        await self._session.execute(
            update(MailboxRow)
            .where(MailboxRow.account_id == account_id)
            .where(MailboxRow.id.in_(list(mailbox_ids)))
            .values(expunged_modseq=modseq)
        )

    async def allocate_uids(
        self, account_id: AccountId, mailbox_ids: Sequence[str]
    ) -> dict[str, int]:
        """The next UID of each mailbox, taken for good (RFC 9051 2.3.1.1: never reused).

        Callers hold the account's change-log lock, so allocations never interleave.
        """
        result = await self._session.execute(
            update(MailboxRow)
            .where(MailboxRow.account_id == account_id)
            .where(MailboxRow.id.in_(list(mailbox_ids)))
            .values(uid_next=MailboxRow.uid_next + 1)
            .returning(MailboxRow.id, MailboxRow.uid_next)
        )
        return {mailbox_id: uid_next - 1 for mailbox_id, uid_next in result}
