"""The retention promise for destroyed mail: kept 30 days, listable, restorable, then
crypto-shredded (DESIGN "Deletion"; the urn:sealbox:retention JMAP capability).

A destroyed email keeps its row (summary still sealed) and its blob (data key still
sealed) with `deleted_at` and `deleted_from` set. Restore makes a new email from them,
with a new id, because JMAP ids are never reused (RFC 8620 1.2). The purge deletes rows
first, then each blob no email references any more: the blob row holds the sealed data
key, so once it is gone the ciphertext left on disk can never be read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api.core.blobs import BlobService
from api.core.change_types import EMAIL_TYPE, MAILBOX_TYPE, THREAD_TYPE, ChangeList
from api.core.clock import DAY, now
from api.core.email_summary import (
    EmailSummary,
    open_pending_summary,
    open_summary,
    seal_summary,
)
from api.core.errors import AccountNotFoundError, InvalidEmailError, OverQuotaError
from api.core.mail_search import MailSearch, NoSearch
from api.core.quota import charge_mail
from api.core.threading import assign_thread, thread_hashes
from api.core.unlocked import UnlockedAccount
from api.store.changes import CREATED, UPDATED
from api.store.ids import new_id
from api.store.records import EmailRecord
from api.store.unit_of_work import Store, Transaction
from crypto.keypair import unwrap_private_key
from crypto.master_key import SUBKEY_SUMMARIES
from crypto.secret_value import SecretBytes

__all__ = ["RETENTION_DAYS", "DeletedEmail", "DeletedPage", "RestoreResult", "RetentionService"]

RETENTION_DAYS = 30
_PURGE_BATCH = 500


@dataclass(frozen=True, slots=True)
class DeletedEmail:
    """A destroyed email still kept, with its summary opened for the owner."""

    record: EmailRecord
    summary: EmailSummary


@dataclass(frozen=True, slots=True)
class DeletedPage:
    """One window of the deleted mail: where it starts, how many there are in all."""

    position: int
    total: int
    items: list[DeletedEmail]


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """Old id -> the new email; old id -> why it stays deleted (over quota, nowhere to
    go); and the Email state after."""

    restored: dict[str, EmailRecord]
    refused: dict[str, OverQuotaError | InvalidEmailError]
    state: int


_NOWHERE = "the mailboxes it was in no longer exist and the account has no Inbox"


class _Summaries:
    """Opens summaries sealed under MK or, for mail destroyed before it was settled,
    to the public key; the private key is unwrapped only if such a summary turns up."""

    def __init__(self, tx: Transaction, unlocked: UnlockedAccount) -> None:
        self._tx = tx
        self._unlocked = unlocked
        self._key = unlocked.master_key.subkey(SUBKEY_SUMMARIES)
        self._private_key: SecretBytes | None = None

    async def open(self, record: EmailRecord) -> EmailSummary:
        account_id = self._unlocked.account_id
        if not record.pending:
            return open_summary(self._key, account_id, record.id, record.summary_sealed)
        if self._private_key is None:
            account = await self._tx.accounts.get(account_id)
            if account is None:
                raise AccountNotFoundError()
            self._private_key = unwrap_private_key(
                self._unlocked.master_key, account.wrapped_private_key, account_id=account_id
            )
        return open_pending_summary(
            self._private_key,
            record.summary_sealed,
            account_id=account_id,
            email_id=record.id,
            blob_id=record.blob_id,
        )


class RetentionService:
    def __init__(
        self,
        store: Store,
        blobs: BlobService,
        default_quota: int = 0,
        search: MailSearch | None = None,
    ) -> None:
        self._store = store
        self._blobs = blobs
        self._default_quota = default_quota
        self._search: MailSearch = search or NoSearch()

    async def list_deleted(
        self, unlocked: UnlockedAccount, position: int = 0, limit: int | None = None
    ) -> DeletedPage:
        """The account's destroyed emails not yet purged, newest deletion first: `limit`
        of them (None: all) from `position`, which counts from the end when negative
        (RFC 8620 5.5). Only the page's summaries are opened."""
        async with self._store.transaction() as tx:
            total = await tx.emails.count_deleted(unlocked.account_id)
            start = max(0, position + total if position < 0 else position)
            records = await tx.emails.deleted(unlocked.account_id, start, limit)
            summaries = _Summaries(tx, unlocked)
            items = [DeletedEmail(r, await summaries.open(r)) for r in records]
        return DeletedPage(position=start, total=total, items=items)

    async def restore(self, unlocked: UnlockedAccount, ids: Sequence[str]) -> RestoreResult:
        """Restores each id still kept; ids not kept are in neither map of the result.

        Each comes back in the mailboxes it was in that still exist, the Trash left
        out, else in the inbox, with new UIDs, threaded again, sharing its old blob. All
        in one transaction.
        A restored email is live mail again, so it is charged like a delivery.
        """
        account_id = unlocked.account_id
        restored: dict[str, EmailRecord] = {}
        refused: dict[str, OverQuotaError | InvalidEmailError] = {}
        changes: dict[str, ChangeList] = {EMAIL_TYPE: [], MAILBOX_TYPE: [], THREAD_TYPE: []}
        async with self._store.transaction() as tx:
            modseq = await tx.changes.next_modseq(account_id)
            records = await tx.emails.get_many(account_id, ids, deleted=True)
            mailboxes = await tx.mailboxes.list(account_id)
            # Mail destroyed from the Trash (Empty Trash) is wanted back as live mail, not
            # in the Trash again to be emptied: the Trash is never a restore target.
            existing = {m.id for m in mailboxes if m.role != "trash"}
            inbox = [m.id for m in mailboxes if m.role == "inbox"]
            summaries = _Summaries(tx, unlocked)
            by_id = {r.id: r for r in records}
            for old_id in dict.fromkeys(ids):
                record = by_id.get(old_id)
                if record is None:
                    continue
                kept = [m for m in (record.deleted_from or "").split() if m in existing]
                targets = kept or inbox
                if not targets:
                    # An email must be in a mailbox (RFC 8621 4.1.1): it stays deleted.
                    refused[old_id] = InvalidEmailError(_NOWHERE, ["mailboxIds"])
                    continue
                try:
                    await charge_mail(tx, account_id, record.size, self._default_quota)
                except OverQuotaError as exc:
                    refused[old_id] = exc
                    continue
                summary = await summaries.open(record)
                new, thread_change = await self._restore_one(
                    tx, unlocked, record, summary, targets, modseq
                )
                restored[old_id] = new
                changes[EMAIL_TYPE].append((new.id, CREATED))
                changes[MAILBOX_TYPE].extend((m, UPDATED) for m in targets)
                changes[THREAD_TYPE].append(thread_change)
            for type_name, logged in changes.items():
                await tx.changes.record(account_id, modseq, type_name, logged)
            state = await tx.changes.state(account_id, EMAIL_TYPE)
        # Restored mail is new mail under new ids: index it, or search would never find it.
        await self._search.settled(unlocked, list(restored.values()))
        return RestoreResult(restored=restored, refused=refused, state=state)

    async def _restore_one(
        self,
        tx: Transaction,
        unlocked: UnlockedAccount,
        record: EmailRecord,
        summary: EmailSummary,
        targets: list[str],
        modseq: int,
    ) -> tuple[EmailRecord, tuple[str, str]]:
        """The new email, and its thread's change (created, or updated when it had mail)."""
        account_id = unlocked.account_id
        email_id = new_id("e")
        thread_id, is_new = await assign_thread(
            tx, account_id, thread_hashes(unlocked.master_key, summary)
        )
        new = EmailRecord(
            id=email_id,
            account_id=account_id,
            blob_id=record.blob_id,
            thread_id=thread_id,
            size=record.size,
            received_at=record.received_at,
            sent_at=record.sent_at,
            flags=record.flags,
            custom_keywords=record.custom_keywords,
            # Sealed again: the email id is the summary's associated data.
            summary_sealed=seal_summary(unlocked.master_key, account_id, email_id, summary),
            pending=False,
            modseq=modseq,
            mailboxes=await tx.mailboxes.allocate_uids(account_id, targets),
        )
        await tx.emails.add(new)
        await tx.emails.remove([record.id])
        return new, (thread_id, CREATED if is_new else UPDATED)

    async def purge(self, at: int | None = None) -> int:
        """Destroy for good emails destroyed more than RETENTION_DAYS before `at` (now).

        Returns how many emails went. Safe on several nodes at once: deletes are idempotent.
        """
        cutoff = (now() if at is None else at) - RETENTION_DAYS * DAY
        purged = 0
        while True:
            async with self._store.transaction() as tx:
                doomed = await tx.emails.deleted_before(cutoff, _PURGE_BATCH)
                await tx.emails.remove([email.email_id for email in doomed])
                await tx.thread_keys.remove_unused(
                    (email.account_id, email.thread_id) for email in doomed if email.thread_id
                )
                blob_ids = sorted({email.blob_id for email in doomed})
                # A blob can back several emails (imported twice, or live and destroyed).
                shredded = sorted(set(blob_ids) - await tx.emails.blobs_in_use(blob_ids))
                if shredded:
                    await tx.blobs.remove(shredded)
            for blob_id in shredded:
                await self._blobs.backend.delete(blob_id)
            purged += len(doomed)
            if len(doomed) < _PURGE_BATCH:
                return purged
