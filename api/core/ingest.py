"""The one way mail enters an account: JMAP Email/import and /set, IMAP APPEND, SMTP delivery.

A message is parsed once (api.mime), its raw octets stored as an encrypted blob, its
header summary sealed, and one transaction adds the email, its mailbox memberships with
fresh IMAP UIDs, its thread and the change-log entries (Email, Mailbox counts, Thread).
Unlocked callers thread at once; delivery, which has only the public key, leaves the
email `pending` until `catch_up` (api.core.pending_settle) runs at the account's next
unlocked use. The search index (api.core.mail_search) hears of each email once it is
threaded: at once for an unlocked caller, at catch_up for locked deliveries, which are
its queue, by id.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass

from api.core.blobs import BlobService
from api.core.change_types import EMAIL_TYPE, MAILBOX_TYPE, THREAD_TYPE, ChangeList
from api.core.delivery_rows import NewEmail, add_deliveries
from api.core.delivery_sealing import SealedCopy, seal_copies
from api.core.email_summary import (
    seal_summary,
    sent_at_seconds,
    summarize,
)
from api.core.errors import (
    EmailStateMismatchError,
    InvalidEmailError,
    MailboxNotFoundError,
)
from api.core.group_commit import GroupCommit
from api.core.keywords import keywords_to_stored
from api.core.mail_search import MailSearch, NoSearch
from api.core.part_blobs import PartBlobs, split_part_blob_id
from api.core.pending_mail import PendingMail
from api.core.pending_settle import PendingSettler
from api.core.quota import charge_mail
from api.core.threading import thread_change
from api.core.unlocked import UnlockedAccount
from api.mime.email_view import INLINE_PARSE_BYTES, parse_off_loop
from api.store.blobs.repository import BlobRecord
from api.store.changes import CREATED, UPDATED
from api.store.ids import AccountId, new_id
from api.store.records import EmailRecord
from api.store.unit_of_work import Store, Transaction

__all__ = ["EMAIL_TYPE", "THREAD_TYPE", "EmailIngest", "IncomingEmail"]

log = logging.getLogger("sealbox.ingest")


@dataclass(frozen=True, slots=True)
class IncomingEmail:
    """Where a message goes and how it starts: mailbox ids, checked keywords, receivedAt."""

    mailbox_ids: Collection[str]
    keywords: Collection[str]
    received_at: int
    # The Email state the client saw (ifInState): checked under the account's lock, so
    # two writers that saw one state cannot both pass.
    expect_state: int | None = None


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


class EmailIngest:
    def __init__(self, store: Store, blobs: BlobService, default_quota: int = 0) -> None:
        self._store = store
        self._blobs = blobs
        # Accounts seen with nothing pending since their last delivery (catch_up skips).
        self.pending = PendingMail(lambda: store.hears_deliveries)
        store.add_delivery_listener(self.pending.delivered)
        # Octets per account when the account sets none; 0 means no limit.
        self._default_quota = default_quota
        self._group: GroupCommit[NewEmail, EmailRecord] = GroupCommit(store, self._add_deliveries)
        # The full-text index; api.services hands in api.search's once it is built.
        self.search: MailSearch = NoSearch()
        self._settler = PendingSettler(store, self.pending, lambda: self.search)

    async def import_raw(
        self, unlocked: UnlockedAccount, raw: bytes, incoming: IncomingEmail
    ) -> EmailRecord:
        """Store a message the user hands over (Email/import of new octets, IMAP APPEND)."""
        public_key = await self._blobs.public_key(unlocked.account_id)
        blob = await self._blobs.write(unlocked.account_id, public_key, _one(raw), expires=None)
        try:
            record, new = await self._commit(raw, blob, incoming, unlocked=unlocked, new_blob=True)
        except BaseException:
            await self._blobs.discard(blob.id)  # only while nothing committed refers to it
            raise
        await self._index(unlocked, record, new)
        return record

    async def import_blob(
        self, unlocked: UnlockedAccount, blob_id: str, incoming: IncomingEmail
    ) -> EmailRecord:
        """RFC 8621 4.8 Email/import: the email shares the uploaded blob, now kept.

        A part blob (an attached message being imported, say) is stored anew: its
        octets exist only inside the message that holds it.
        """
        if split_part_blob_id(blob_id) is not None:
            raw = await PartBlobs(self._blobs).read(unlocked, blob_id)
            return await self.import_raw(unlocked, raw, incoming)
        blob, wrapped_key = await self._blobs.find_readable(unlocked, blob_id)
        raw = await self._blobs.read_record(unlocked, blob, wrapped_key)
        record, new = await self._commit(raw, blob, incoming, unlocked=unlocked, new_blob=False)
        await self._index(unlocked, record, new)
        return record

    async def deliver(
        self,
        account_id: AccountId,
        raw: bytes,
        incoming: IncomingEmail,
        public_key: bytes | None = None,
        sealed: SealedCopy | None = None,
    ) -> EmailRecord:
        """Store a message for a locked account (SMTP, local submission): no key needed.

        `public_key` is the account's, when the caller read it already (SMTP at RCPT);
        `sealed` is the copy already sealed to it (the MX seals in worker processes).
        Deliveries arriving together commit in one transaction (api.core.group_commit).
        Returns once blob and rows are durable, which is when SMTP may say 250.
        """
        if sealed is None:
            if public_key is None:
                public_key = await self._blobs.public_key(account_id)
            sealed = await _seal_copy(account_id, public_key, raw)
        blob = await self._blobs.write_sealed(sealed.blob, expires=None)
        new = NewEmail(
            id=sealed.email_id,
            size=len(raw),
            blob=blob,
            new_blob=True,
            incoming=incoming,
            summary=sealed.summary,
            sealed=sealed.summary_sealed,
            unlocked=None,
        )
        if incoming.expect_state is None:
            return await self._group.run(new, functools.partial(self._blobs.discard, blob.id))
        # A state check belongs to one write: it cannot share a group's position.
        try:
            async with self._store.transaction() as tx:
                return await self._write(new, tx)
        except BaseException:
            await self._blobs.discard(blob.id)
            raise

    async def discard(self, copies: Sequence[SealedCopy]) -> None:
        """Delete the blobs of copies a worker stored but that will never be delivered."""
        for copy in copies:
            if copy.blob.stored_size is not None:
                await self._blobs.discard(copy.blob.id)

    async def _commit(
        self,
        raw: bytes,
        blob: BlobRecord,
        incoming: IncomingEmail,
        *,
        new_blob: bool,
        unlocked: UnlockedAccount,
    ) -> tuple[EmailRecord, NewEmail]:
        """Add the email of an unlocked account, threaded now."""
        new = await self._prepare(raw, blob, incoming, new_blob=new_blob, unlocked=unlocked)
        async with self._store.transaction() as tx:
            record = await self._write(new, tx)
        return record, new

    async def _index(self, unlocked: UnlockedAccount, record: EmailRecord, new: NewEmail) -> None:
        """Tell the search index of a stored email. It is stored whatever happens here:
        the index reconciles with the mailbox at its next open."""
        if new.parsed is None:
            return
        try:
            await self.search.stored(unlocked, record, new.parsed)
        except Exception as exc:
            log.warning(
                "indexing a new email failed",
                extra={
                    "event": "search.index_failed",
                    "account_id": unlocked.account_id,
                    "error_type": type(exc).__name__,
                },
            )

    async def _prepare(
        self,
        raw: bytes,
        blob: BlobRecord,
        incoming: IncomingEmail,
        *,
        new_blob: bool,
        unlocked: UnlockedAccount,
    ) -> NewEmail:
        """What needs no transaction: the parse, the summary sealed, a fresh id."""
        account_id = blob.account_id
        if not incoming.mailbox_ids:
            raise InvalidEmailError("an email must be in at least one mailbox", ["mailboxIds"])
        parsed = await parse_off_loop(raw)
        summary = summarize(parsed)
        email_id = new_id("e")
        sealed = seal_summary(unlocked.master_key, account_id, email_id, summary)
        return NewEmail(
            id=email_id,
            size=len(raw),
            blob=blob,
            new_blob=new_blob,
            incoming=incoming,
            summary=summary,
            sealed=sealed,
            unlocked=unlocked,
            parsed=parsed,
        )

    async def _write(self, new: NewEmail, tx: Transaction) -> EmailRecord:
        """The email's rows in `tx`; everything is read from `tx`, so it may run again."""
        account_id, incoming, unlocked = new.blob.account_id, new.incoming, new.unlocked
        flags, custom = keywords_to_stored(incoming.keywords)
        modseq = await tx.changes.next_modseq(account_id)
        if incoming.expect_state is not None:
            current = await tx.changes.state(account_id, EMAIL_TYPE)
            if current != incoming.expect_state:
                raise EmailStateMismatchError()
        if new.new_blob:
            await tx.blobs.add(new.blob)  # its row commits with the email, or not at all
        else:
            await tx.blobs.keep(account_id, new.blob.id)
        await self._charge(tx, account_id, new.size)
        mailbox_ids = sorted(set(incoming.mailbox_ids))
        uids = await tx.mailboxes.allocate_uids(account_id, mailbox_ids)
        if len(uids) != len(mailbox_ids):
            raise MailboxNotFoundError("a mailbox in mailboxIds does not exist")
        thread_id = None
        changes: dict[str, ChangeList] = {
            EMAIL_TYPE: [(new.id, CREATED)],
            MAILBOX_TYPE: [(m, UPDATED) for m in mailbox_ids],
        }
        if unlocked is not None:
            master_key = unlocked.master_key
            thread_id, kind = await thread_change(tx, master_key, unlocked.account_id, new.summary)
            changes[THREAD_TYPE] = [(thread_id, kind)]
        else:
            tx.changes.mark_pending_delivery(account_id)
        record = EmailRecord(
            id=new.id,
            account_id=account_id,
            blob_id=new.blob.id,
            thread_id=thread_id,
            size=new.size,
            received_at=incoming.received_at,
            sent_at=sent_at_seconds(new.summary),
            flags=flags,
            custom_keywords=custom,
            summary_sealed=new.sealed,
            pending=unlocked is None,
            modseq=modseq,
            mailboxes=uids,
        )
        await tx.emails.add(record)
        await tx.changes.record_all(account_id, modseq, changes)
        return record

    async def _add_deliveries(self, tx: Transaction, news: list[NewEmail]) -> list[EmailRecord]:
        return await add_deliveries(tx, news, self._default_quota)

    async def _charge(self, tx: Transaction, account_id: AccountId, size: int) -> None:
        """Count the message against the quota (RFC 9425); OverQuotaError rolls it all back."""
        await charge_mail(tx, account_id, size, self._default_quota)

    async def catch_up(self, unlocked: UnlockedAccount, *, force: bool = False) -> int:
        """Thread and re-seal mail delivered while the account was locked; returns how
        many (api.core.pending_settle)."""
        return await self._settler.catch_up(unlocked, force=force)


async def _seal_copy(account_id: AccountId, public_key: bytes, raw: bytes) -> SealedCopy:
    """One copy sealed in this process: in a thread unless `raw` is small."""
    if len(raw) <= INLINE_PARSE_BYTES:
        [sealed] = seal_copies(raw, [(account_id, public_key)])
    else:
        [sealed] = await asyncio.to_thread(seal_copies, raw, [(account_id, public_key)])
    return sealed
