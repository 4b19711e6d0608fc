"""The rows of a group of deliveries in one transaction (api.core.group_commit).

A few statements per account whatever the group's size: one upsert takes the modseq,
charges the quota and reads the limit; one UPDATE takes a block of UIDs per mailbox;
one executemany per table adds blobs, emails, memberships and change-log rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from api.core.change_types import EMAIL_TYPE, MAILBOX_TYPE, ChangeList
from api.core.email_summary import EmailSummary, sent_at_seconds
from api.core.errors import MailboxNotFoundError
from api.core.keywords import keywords_to_stored
from api.core.quota import check_quota
from api.core.unlocked import UnlockedAccount
from api.mime.email_view import ParsedEmail
from api.store.blobs.repository import BlobRecord
from api.store.changes import CREATED, UPDATED
from api.store.ids import AccountId
from api.store.records import EmailRecord
from api.store.unit_of_work import Transaction

if TYPE_CHECKING:
    from api.core.ingest import IncomingEmail

__all__ = ["NewEmail", "add_deliveries"]


@dataclass(frozen=True, slots=True)
class NewEmail:
    """A message ready for its transaction: parsed, summary sealed, blob written."""

    id: str
    size: int
    blob: BlobRecord
    new_blob: bool
    incoming: IncomingEmail
    summary: EmailSummary
    sealed: bytes
    unlocked: UnlockedAccount | None
    # Kept for the search index when an unlocked caller stores it; deliveries are
    # indexed at catch_up instead.
    parsed: ParsedEmail | None = None


async def add_deliveries(
    tx: Transaction, news: list[NewEmail], default_quota: int
) -> list[EmailRecord]:
    """The rows of a group of deliveries (api.core.group_commit), a few statements per
    account whatever the group's size: the emails of one account share one modseq
    (as a JMAP batch does) and take consecutive UIDs. A group over quota fails whole
    and is retried one by one, which finds the messages that do not fit.
    """
    by_account: dict[AccountId, list[NewEmail]] = {}
    for new in news:
        by_account.setdefault(new.blob.account_id, []).append(new)
    records: dict[str, EmailRecord] = {}
    # Counters locked in one order, so groups on several nodes never deadlock each other.
    # The inserts answer nothing: they go to the database with the next statement that
    # does (a UID block, another account's modseq) or with the commit.
    async with tx.deferred_writes():
        for account_id in sorted(by_account):
            for record in await _add_to_account(
                tx, account_id, by_account[account_id], default_quota
            ):
                records[record.id] = record
    return [records[new.id] for new in news]


async def _add_to_account(
    tx: Transaction, account_id: AccountId, news: list[NewEmail], default_quota: int
) -> list[EmailRecord]:
    size = sum(new.size for new in news)
    modseq, used, quota = await tx.changes.next_modseq_charged(account_id, size)
    check_quota(used, quota, default_quota)
    await tx.blobs.add_many([new.blob for new in news])
    wanted: dict[str, int] = {}
    for new in news:
        for mailbox_id in set(new.incoming.mailbox_ids):
            wanted[mailbox_id] = wanted.get(mailbox_id, 0) + 1
    next_uid: dict[str, int] = {}
    for mailbox_id in sorted(wanted):
        first = await tx.mailboxes.allocate_uid_block(account_id, mailbox_id, wanted[mailbox_id])
        if first is None:
            raise MailboxNotFoundError("a mailbox in mailboxIds does not exist")
        next_uid[mailbox_id] = first
    records = []
    for new in news:
        uids = {}
        for mailbox_id in sorted(set(new.incoming.mailbox_ids)):
            uids[mailbox_id] = next_uid[mailbox_id]
            next_uid[mailbox_id] += 1
        flags, custom = keywords_to_stored(new.incoming.keywords)
        records.append(
            EmailRecord(
                id=new.id,
                account_id=account_id,
                blob_id=new.blob.id,
                thread_id=None,
                size=new.size,
                received_at=new.incoming.received_at,
                sent_at=sent_at_seconds(new.summary),
                flags=flags,
                custom_keywords=custom,
                summary_sealed=new.sealed,
                pending=True,
                modseq=modseq,
                mailboxes=uids,
            )
        )
    await tx.emails.add_many(records)
    tx.changes.mark_pending_delivery(account_id)
    changes: dict[str, ChangeList] = {
        EMAIL_TYPE: [(record.id, CREATED) for record in records],
        MAILBOX_TYPE: [(m, UPDATED) for m in sorted(wanted)],
    }
    await tx.changes.record_all(account_id, modseq, changes)
    return records
