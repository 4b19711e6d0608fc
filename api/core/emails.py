"""Reading an unlocked account's mail: emails with their summaries, threads, states (RFC 8621 3, 4).

Every read first settles mail delivered while the account was locked (EmailIngest.catch_up),
so what a client sees is always threaded. Summaries are opened in memory per request;
the full message is decrypted and parsed only when a property needs it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from api.core.blobs import BlobService
from api.core.change_types import EMAIL_TYPE, THREAD_TYPE
from api.core.email_batch import EmailBatch
from api.core.email_query import EmailQueryService
from api.core.email_summary import EmailSummary, open_summary
from api.core.ingest import EmailIngest
from api.core.unlocked import UnlockedAccount
from api.mime.email_view import ParsedEmail, parse_off_loop
from api.store.blobs.repository import BlobRecord
from api.store.ids import AccountId
from api.store.records import ChangeSet, EmailRecord
from api.store.unit_of_work import Store
from crypto.master_key import SUBKEY_SUMMARIES

__all__ = ["EmailService", "EmailView"]


@dataclass(frozen=True, slots=True)
class EmailView:
    """A live email: its plaintext row and its decrypted summary."""

    record: EmailRecord
    summary: EmailSummary
    # The message blob's row, when the caller asked for it (to read the whole message).
    blob: BlobRecord | None = None


class EmailService:
    def __init__(self, store: Store, blobs: BlobService, ingest: EmailIngest) -> None:
        self._store = store
        self._blobs = blobs
        self.ingest = ingest
        self.queries = EmailQueryService(store, ingest)

    async def get(
        self, unlocked: UnlockedAccount, ids: Sequence[str] | None, *, blobs: bool = False
    ) -> tuple[list[EmailView], int]:
        """The live emails among `ids` (all when None is not allowed: callers page), and the
        Email state they belong to, read in one transaction; with `blobs`, their blob rows
        too (for `parsed`).

        A pending email can still reach this point (a delivery that committed on another
        node a moment before its notification arrived, api.core.pending_mail): then catch
        up for real and read again, so no client sees one.
        """
        await self.ingest.catch_up(unlocked)
        state, records, blob_rows = await self._read(unlocked.account_id, ids or [], blobs)
        if any(record.pending for record in records):
            await self.ingest.catch_up(unlocked, force=True)
            state, records, blob_rows = await self._read(unlocked.account_id, ids or [], blobs)
        key = unlocked.master_key.subkey(SUBKEY_SUMMARIES)
        views = [
            EmailView(
                r,
                open_summary(key, unlocked.account_id, r.id, r.summary_sealed),
                blob_rows.get(r.blob_id),
            )
            for r in records
        ]
        return views, state

    async def _read(
        self, account_id: AccountId, ids: Sequence[str], blobs: bool, summaries: bool = True
    ) -> tuple[int, list[EmailRecord], dict[str, BlobRecord]]:
        async with self._store.transaction() as tx:
            state = await tx.changes.state(account_id, EMAIL_TYPE)
            records = await tx.emails.get_many(account_id, ids, summaries=summaries)
            wanted = list(dict.fromkeys(r.blob_id for r in records)) if blobs else []
            blob_rows = {b.id: b for b in await tx.blobs.get_many(account_id, wanted)}
        return state, records, blob_rows

    async def records(self, unlocked: UnlockedAccount, ids: Sequence[str]) -> list[EmailRecord]:
        """Rows only, no decryption: what IMAP flag listings and keyword updates need."""
        return (await self.rows(unlocked, ids))[0]

    async def rows(
        self, unlocked: UnlockedAccount, ids: Sequence[str]
    ) -> tuple[list[EmailRecord], int]:
        """Rows and the Email state, nothing decrypted (summaries left empty): Email/get of
        metadata only, keyword updates."""
        await self.ingest.catch_up(unlocked)
        state, records, _ = await self._read(unlocked.account_id, ids, False, summaries=False)
        if any(record.pending for record in records):
            await self.ingest.catch_up(unlocked, force=True)
            state, records, _ = await self._read(unlocked.account_id, ids, False, summaries=False)
        return records, state

    @asynccontextmanager
    async def batch(self, unlocked: UnlockedAccount) -> AsyncIterator[EmailBatch]:
        """One Email/set's updates and destroys: one transaction, one change-log position."""
        await self.ingest.catch_up(unlocked)
        account_id = unlocked.account_id
        async with self._store.transaction() as tx:
            # Taking the position first locks the account's counter (see MailboxService).
            modseq = await tx.changes.next_modseq(account_id)
            old_state = await tx.changes.state(account_id, EMAIL_TYPE)
            mailbox_ids = [record.id for record in await tx.mailboxes.list(account_id)]
            batch = EmailBatch(
                tx, account_id, modseq=modseq, old_state=old_state, mailbox_ids=mailbox_ids
            )
            yield batch
            await batch.record()

    async def parsed(
        self, unlocked: UnlockedAccount, record: EmailRecord, blob: BlobRecord | None = None
    ) -> ParsedEmail:
        """The whole message, decrypted and parsed (bodyStructure, bodyValues, headers);
        `blob`, the row from `get(..., blobs=True)`, saves reading it again."""
        if blob is None:
            raw = await self._blobs.read_all(unlocked, record.blob_id)
        else:
            raw = await self._blobs.read_record(unlocked, blob)
        return await parse_off_loop(raw)

    async def raw(self, unlocked: UnlockedAccount, record: EmailRecord) -> bytes:
        return await self._blobs.read_all(unlocked, record.blob_id)

    async def state(self, unlocked: UnlockedAccount, type_name: str = EMAIL_TYPE) -> int:
        await self.ingest.catch_up(unlocked)
        async with self._store.transaction() as tx:
            return await tx.changes.state(unlocked.account_id, type_name)

    async def changes(
        self, unlocked: UnlockedAccount, type_name: str, since: int, max_changes: int
    ) -> ChangeSet:
        """Email or Thread changes since a state (RFC 8620 5.2); StateTooOldError if unknown."""
        await self.ingest.catch_up(unlocked)
        async with self._store.transaction() as tx:
            return await tx.changes.changes_since(
                unlocked.account_id, type_name, since, max_changes
            )

    async def threads(
        self, unlocked: UnlockedAccount, thread_ids: Sequence[str]
    ) -> tuple[dict[str, list[str]], int]:
        """Email ids of each existing thread, oldest first, and the Thread state."""
        await self.ingest.catch_up(unlocked)
        account_id: AccountId = unlocked.account_id
        async with self._store.transaction() as tx:
            state = await tx.changes.state(account_id, THREAD_TYPE)
            members = await tx.emails.thread_members(account_id, thread_ids)
        return members, state
