"""Bringing an open index up to the mailbox: reconcile at open, catch up before queries.

An index must hold every threaded email, whichever node stored it: at open every email
the mailbox has and the index lacks is indexed (delivered while locked, a tail lost to a
crash between commit and seal, another node's imports), every email gone is dropped;
before a query the account's Email state (RFC 8620 5.2) is compared with the one the
index last saw, and the emails created since (on any node) are indexed. A change log
too long or too old to read falls back to a full reconcile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from api.core.blobs import BlobService
from api.core.change_types import EMAIL_TYPE
from api.core.unlocked import UnlockedAccount
from api.search.account_index import AccountIndex, NewEmail
from api.store.changes import StateTooOldError
from api.store.ids import AccountId
from api.store.records import EmailRecord
from api.store.unit_of_work import Store
from crypto.secret_value import SecretBytes

__all__ = ["BATCH", "Feeder", "OpenIndex", "Progress"]

# Emails decrypted, parsed and added per worker-thread hop (and per commit) when indexing.
BATCH = 200
# Created emails read from the change log at once; more and a full reconcile is cheaper.
_MAX_CHANGES = 5_000
Progress = Callable[[int, int], None]


@dataclass(slots=True)
class OpenIndex:
    index: AccountIndex
    key: SecretBytes = field(repr=False)
    last_used: float
    # Whether this node holds the account's lease and seals (api.search.writer_lease).
    writer: bool
    # A reader's sealed generation, read before its files; None: reload at next use.
    generation: str | None
    # The account's Email state the index has caught up with.
    email_state: int = 0
    renewed_at: float = 0.0
    flush_task: asyncio.Task[None] | None = None


Flush = Callable[[AccountId, OpenIndex], Awaitable[bool]]


class Feeder:
    def __init__(self, store: Store, blobs: BlobService, flush: Flush) -> None:
        self._store = store
        self._blobs = blobs
        self._flush = flush

    async def reconcile(
        self, unlocked: UnlockedAccount, opened: OpenIndex, progress: Progress | None = None
    ) -> None:
        """Index what the mailbox has and the index lacks; drop what the mailbox lost."""
        account_id = unlocked.account_id
        async with self._store.transaction() as tx:
            # Read before the ids: an email created in between is caught up later.
            state = await tx.changes.state(account_id, EMAIL_TYPE)
            live = await tx.search_files.live_email_ids(account_id)
        gone = [e for e in opened.index.ids if e not in live]
        missing = sorted(e for e in live if e not in opened.index.ids)
        if gone:
            await asyncio.to_thread(opened.index.remove, gone)
        await self._index_ids(unlocked, opened, missing, progress)
        if gone and not missing:
            await self._flush(account_id, opened)
        opened.email_state = state

    async def catch_up(self, unlocked: UnlockedAccount, opened: OpenIndex, state: int) -> None:
        """Index the emails created since the Email state the index last saw."""
        if state == opened.email_state:
            return
        account_id = unlocked.account_id
        try:
            async with self._store.transaction() as tx:
                changes = await tx.changes.changes_since(
                    account_id, EMAIL_TYPE, opened.email_state, _MAX_CHANGES
                )
        except StateTooOldError:
            changes = None
        if changes is None or changes.has_more:
            await self.reconcile(unlocked, opened)
            return
        missing = sorted(e for e in changes.created if e not in opened.index.ids)
        await self._index_ids(unlocked, opened, missing, None)
        opened.email_state = changes.new_modseq

    async def _index_ids(
        self,
        unlocked: UnlockedAccount,
        opened: OpenIndex,
        missing: list[str],
        progress: Progress | None,
    ) -> None:
        account_id = unlocked.account_id
        done = 0
        for at in range(0, len(missing), BATCH):
            async with self._store.transaction() as tx:
                records = await tx.emails.get_many(
                    account_id, missing[at : at + BATCH], summaries=False
                )
            await self.index_records(unlocked, opened.index, records)
            await self._flush(account_id, opened)
            done += len(records)
            if progress is not None:
                progress(done, len(missing))

    async def index_records(
        self, unlocked: UnlockedAccount, index: AccountIndex, records: list[EmailRecord]
    ) -> None:
        """Decrypt and add the records the index lacks (the caller commits)."""
        account_id = unlocked.account_id
        wanted = [r for r in records if r.id not in index.ids]
        if not wanted:
            return
        async with self._store.transaction() as tx:
            blob_rows = {
                b.id: b for b in await tx.blobs.get_many(account_id, [r.blob_id for r in wanted])
            }
            if not unlocked.has_private_key:
                account = await tx.accounts.get(account_id)
                if account is not None:
                    unlocked.private_key(account.wrapped_private_key)
        emails = []
        for record in wanted:
            blob = blob_rows.get(record.blob_id)
            if blob is not None:
                raw = await self._blobs.read_record(unlocked, blob)
                emails.append(NewEmail(record.id, record.received_at, raw=raw))
        await asyncio.to_thread(index.add, emails)
