"""A mailbox as IMAP numbers it (RFC 9051 2.3.1.1; RFC 7162 CONDSTORE): UID, email id,
stored keywords and MODSEQ of every member, in one query of plaintext columns only.

Nothing sealed is read: IMAP SELECT, flag listings and IDLE resyncs need no summary and
no blob, so a 100,000-message Inbox costs one indexed pass. The answer is columnar
(one list per field, keyword forms listed once and referred to by index): built with
`zip` rather than per-row Python, which was most of a 16,000-message SELECT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.email_models import EmailMailboxRow, EmailRow
from api.store.ids import AccountId
from api.store.mail_models import MailboxRow

__all__ = ["ImapListingRecord", "ImapListingRepository", "StoredKeywords"]

# An email's keywords as stored: (flag bits, custom keywords).
StoredKeywords = tuple[int, str]
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
    # One entry per listed member, sorted by uid; `keyword_index` points into
    # `keyword_sets`, the distinct stored keyword forms (a mailbox has few).
    uids: Sequence[int]
    email_ids: Sequence[str]
    keyword_index: Sequence[int]
    modseqs: Sequence[int]
    keyword_sets: Sequence[StoredKeywords]
    # For a listing since a modseq: emails changed since then that are not (or no
    # longer) in the mailbox. Empty for a whole listing.
    removed: Sequence[str]
    # How many members the mailbox has now.
    total: int
    # The last modseq at which a message left the mailbox (RFC 7162 3.2.5.2).
    expunged_modseq: int


def _columns(
    rows: Sequence[Any],
) -> tuple[Sequence[int], Sequence[str], list[int], Sequence[int], list[StoredKeywords]]:
    """Rows of (uid, id, flags, custom, modseq) as columns, at C speed: `zip` transposes,
    `dict.fromkeys` finds the distinct keyword forms, `map` looks each row's up."""
    if not rows:
        return [], [], [], [], []
    uids, email_ids, flags, custom, modseqs = zip(*rows, strict=True)
    stored = list(zip(flags, custom, strict=True))
    distinct = dict.fromkeys(stored, 0)
    for index, key in enumerate(distinct):
        distinct[key] = index
    return uids, email_ids, list(map(distinct.__getitem__, stored)), modseqs, list(distinct)


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
                select(MailboxRow.uid_validity, MailboxRow.uid_next, MailboxRow.expunged_modseq)
                .where(MailboxRow.account_id == account_id)
                .where(MailboxRow.id == mailbox_id)
            )
        ).first()
        if mailbox is None:
            return None
        uid_validity, uid_next, expunged_modseq = mailbox
        rows, removed, total = await (
            self._all(mailbox_id) if since is None else self._since(account_id, mailbox_id, since)
        )
        uids, email_ids, keyword_index, modseqs, keyword_sets = _columns(rows)
        return ImapListingRecord(
            uid_validity=uid_validity,
            uid_next=uid_next,
            highest_modseq=highest_modseq,
            uids=uids,
            email_ids=email_ids,
            keyword_index=keyword_index,
            modseqs=modseqs,
            keyword_sets=keyword_sets,
            removed=removed,
            total=total,
            expunged_modseq=expunged_modseq,
        )

    async def _rows(self, statement: Select[int, str, int, str, int]) -> Sequence[Any]:
        """The statement's rows as plain tuples. On SQLite straight from the driver's
        cursor, in this transaction: SQLAlchemy's result rows cost about as much CPU as
        the query for 16,000 members (and the ORM's loading more). Elsewhere Core rows."""
        connection = await self._session.connection()
        if connection.dialect.name != "sqlite":
            return list((await connection.execute(statement)).all())
        compiled = statement.compile(dialect=connection.dialect)
        parameters = [compiled.params[name] for name in compiled.positiontup or ()]
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection  # the aiosqlite connection of this transaction
        return list(await driver.execute_fetchall(str(compiled), parameters))

    async def _all(self, mailbox_id: str) -> tuple[Sequence[Any], list[str], int]:
        rows = await self._rows(
            select(*_ROW)
            .join(EmailRow, EmailRow.id == EmailMailboxRow.email_id)
            .where(EmailMailboxRow.mailbox_id == mailbox_id)
            .order_by(EmailMailboxRow.uid)
        )
        return rows, [], len(rows)

    async def _since(
        self, account_id: AccountId, mailbox_id: str, since: int
    ) -> tuple[Sequence[Any], list[str], int]:
        # Every change to an email (keywords, membership, destroy) moves its modseq, so
        # the emails past `since` are all that can differ from a listing taken then. A
        # destroyed email keeps its row (retention) without memberships: it is removed.
        member = and_(
            EmailMailboxRow.email_id == EmailRow.id, EmailMailboxRow.mailbox_id == mailbox_id
        )
        changed = await self._rows(
            select(*_ROW)
            .select_from(EmailRow)
            .outerjoin(EmailMailboxRow, member)
            .where(EmailRow.account_id == account_id)
            .where(EmailRow.modseq > since)
        )
        rows = sorted(tuple(row) for row in changed if row[0] is not None)
        removed = [row[1] for row in changed if row[0] is None]
        total = await self._session.scalar(
            select(func.count()).where(EmailMailboxRow.mailbox_id == mailbox_id)
        )
        return rows, removed, int(total or 0)
