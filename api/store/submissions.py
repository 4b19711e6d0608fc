"""Queries over EmailSubmission rows (RFC 8621 7), their recipients and the outbound queue."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.ids import AccountId
from api.store.records import OutboundRecord, SubmissionRecord
from api.store.submission_models import (
    STAGE_PENDING,
    OutboundRow,
    SubmissionRecipientRow,
    SubmissionRow,
)

__all__ = ["SubmissionFilter", "SubmissionRepository"]

_FIELDS = [name for name in SubmissionRecord.__struct_fields__ if name != "recipients"]


class SubmissionFilter(msgspec.Struct, frozen=True, kw_only=True):
    """RFC 8621 7.3 FilterCondition; every given field must match."""

    identity_ids: list[str] | None = None
    email_ids: list[str] | None = None
    thread_ids: list[str] | None = None
    undo_status: str | None = None
    before: int | None = None
    after: int | None = None


class SubmissionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: SubmissionRecord) -> None:
        self._session.add(SubmissionRow(**{name: getattr(record, name) for name in _FIELDS}))
        await self._session.flush()
        self._session.add_all(
            SubmissionRecipientRow(
                submission_id=record.id, position=p, status_sealed=sealed, stage=STAGE_PENDING
            )
            for p, sealed in record.recipients.items()
        )
        await self._session.flush()

    async def set_status(
        self, submission_id: str, position: int, sealed: bytes, stage: int
    ) -> bool:
        """Write one recipient's status unless it has already come further than `stage`.

        One conditional UPDATE, so two writers racing (submit and the queue) cannot
        both read "not final yet" and then the slower one win. False: not written.
        """
        result = await self._session.execute(
            update(SubmissionRecipientRow)
            .where(SubmissionRecipientRow.submission_id == submission_id)
            .where(SubmissionRecipientRow.position == position)
            .where(SubmissionRecipientRow.stage <= stage)
            .values(status_sealed=sealed, stage=stage)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def claim(self, submission_id: str, at: int, until: int) -> bool:
        """Take the submission for one submit call unless another holds it past `at`."""
        result = await self._session.execute(
            update(SubmissionRow)
            .where(SubmissionRow.id == submission_id)
            .where(SubmissionRow.claimed_until <= at)
            .values(claimed_until=until)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def release(self, submission_id: str) -> None:
        await self._session.execute(
            update(SubmissionRow).where(SubmissionRow.id == submission_id).values(claimed_until=0)
        )

    async def get_many(self, account_id: AccountId, ids: Sequence[str]) -> list[SubmissionRecord]:
        rows = (
            await self._session.scalars(
                select(SubmissionRow)
                .where(SubmissionRow.account_id == account_id)
                .where(SubmissionRow.id.in_(list(ids)))
            )
        ).all()
        recipients: dict[str, dict[int, bytes]] = {}
        found = await self._session.execute(
            select(
                SubmissionRecipientRow.submission_id,
                SubmissionRecipientRow.position,
                SubmissionRecipientRow.status_sealed,
            ).where(SubmissionRecipientRow.submission_id.in_([row.id for row in rows]))
        )
        for submission_id, position, sealed in found:
            recipients.setdefault(submission_id, {})[position] = bytes(sealed)
        return [
            SubmissionRecord(
                **{name: getattr(row, name) for name in _FIELDS},
                recipients=recipients.get(row.id, {}),
            )
            for row in rows
        ]

    async def query(
        self, account_id: AccountId, condition: SubmissionFilter, order: Sequence[tuple[str, bool]]
    ) -> list[str]:
        """Ids matching `condition`, sorted by (column, ascending) pairs, then by id."""
        statement = select(SubmissionRow.id).where(SubmissionRow.account_id == account_id)
        if condition.identity_ids is not None:
            statement = statement.where(SubmissionRow.identity_id.in_(condition.identity_ids))
        if condition.email_ids is not None:
            statement = statement.where(SubmissionRow.email_id.in_(condition.email_ids))
        if condition.thread_ids is not None:
            statement = statement.where(SubmissionRow.thread_id.in_(condition.thread_ids))
        if condition.undo_status is not None:
            statement = statement.where(SubmissionRow.undo_status == condition.undo_status)
        if condition.before is not None:
            statement = statement.where(SubmissionRow.send_at < condition.before)
        if condition.after is not None:
            statement = statement.where(SubmissionRow.send_at >= condition.after)
        for column, ascending in order:
            attribute = getattr(SubmissionRow, column)
            statement = statement.order_by(attribute.asc() if ascending else attribute.desc())
        return list(await self._session.scalars(statement.order_by(SubmissionRow.id)))

    async def remove(self, account_id: AccountId, ids: Sequence[str]) -> None:
        await self._session.execute(
            delete(SubmissionRow)
            .where(SubmissionRow.account_id == account_id)
            .where(SubmissionRow.id.in_(list(ids)))
        )

    async def enqueue(self, records: Sequence[OutboundRecord]) -> None:
        self._session.add_all(OutboundRow(**msgspec.structs.asdict(r)) for r in records)
        await self._session.flush()

    async def queued(self, account_id: AccountId) -> list[OutboundRecord]:
        """The account's messages still waiting to leave (for tests and the SMTP queue)."""
        rows = await self._session.scalars(
            select(OutboundRow).where(OutboundRow.account_id == account_id)
        )
        return [msgspec.convert(row, OutboundRecord, from_attributes=True) for row in rows]
