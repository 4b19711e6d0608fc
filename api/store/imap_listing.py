"""A mailbox as IMAP numbers it (RFC 9051 2.3.1.1; RFC 7162 CONDSTORE): UID, email id,
stored keywords and MODSEQ of every member, in one query of plaintext columns only.

Nothing sealed is read: IMAP SELECT, flag listings and IDLE resyncs need no summary and
no blob, so a 100,000-message Inbox costs one indexed pass.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.email_models import EmailMailboxRow, EmailRow
from api.store.ids import AccountId
from api.store.mail_models import MailboxRow

__all__ = ["ImapListingRecord", "ImapListingRepository", "ImapRow"]

# (uid, email id, flag bits, custom keywords, modseq), sorted by uid.
ImapRow = tuple[int, str, int, str, int]
_ROW = (
    EmailMailboxRow.uid,
    EmailRow.id,
    EmailRow.flags,
    EmailRow.custom_keywords,
    EmailRow.modseq,
)


class ImapListingRecord(msgspec.Struct, frozen=True, kw_only=True):
    uid_validity: int
    uid_next: int
    # The account's change-log position, read before the rows (see `listing`).
    highest_modseq: int
    rows: Sequence[ImapRow]
    # For a listing since a modseq: emails changed since then that are not (or no
    # longer) in the mailbox. Empty for a whole listing.
    removed: Sequence[str]
    # How many members the mailbox has now.
    total: int


class ImapListingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def listing(
        self, account_id: AccountId, mailbox_id: str, highest_modseq: int, since: int | None
    ) -> ImapListingRecord | None:
        """Every member of the mailbox, or with `since` only the emails changed after that
        modseq; None when the account has no such mailbox.

        The caller reads `highest_modseq` first, in this transaction: a change committed
        between the two reads is then listed again next time rather than missed.
        """
        mailbox = (
            await self._session.execute(
                select(MailboxRow.uid_validity, MailboxRow.uid_next)
                .where(MailboxRow.account_id == account_id)
                .where(MailboxRow.id == mailbox_id)
            )
        ).first()
        if mailbox is None:
            return None
        uid_validity, uid_next = mailbox
        rows, removed, total = await (
            self._all(mailbox_id) if since is None else self._since(account_id, mailbox_id, since)
        )
        return ImapListingRecord(
            uid_validity=uid_validity,
            uid_next=uid_next,
            highest_modseq=highest_modseq,
            rows=rows,
            removed=removed,
            total=total,
        )

    async def _all(self, mailbox_id: str) -> tuple[list[ImapRow], list[str], int]:
        result = await self._session.execute(
            select(*_ROW)
            .join(EmailRow, EmailRow.id == EmailMailboxRow.email_id)
            .where(EmailMailboxRow.mailbox_id == mailbox_id)
            .order_by(EmailMailboxRow.uid)
        )
        rows: list[ImapRow] = [tuple(row) for row in result]  # type: ignore[misc]
        return rows, [], len(rows)

    async def _since(
        self, account_id: AccountId, mailbox_id: str, since: int
    ) -> tuple[list[ImapRow], list[str], int]:
        # Every change to an email (keywords, membership, destroy) moves its modseq, so
        # the emails past `since` are all that can differ from a listing taken then. A
        # destroyed email keeps its row (retention) without memberships: it is removed.
        member = and_(
            EmailMailboxRow.email_id == EmailRow.id, EmailMailboxRow.mailbox_id == mailbox_id
        )
        result = await self._session.execute(
            select(*_ROW)
            .select_from(EmailRow)
            .outerjoin(EmailMailboxRow, member)
            .where(EmailRow.account_id == account_id)
            .where(EmailRow.modseq > since)
        )
        rows: list[ImapRow] = []
        removed: list[str] = []
        for uid, email_id, flags, custom, modseq in result:
            if uid is None:
                removed.append(email_id)
            else:
                rows.append((uid, email_id, flags, custom, modseq))
        rows.sort()
        total = await self._session.scalar(
            select(func.count()).where(EmailMailboxRow.mailbox_id == mailbox_id)
        )
        return rows, removed, int(total or 0)
