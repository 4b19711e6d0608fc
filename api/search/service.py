"""The search index of every unlocked account on this node: open, feed, query, seal, drop.

An account's index opens at its first unlocked use after start (restored from its sealed
snapshot, api.search.snapshots) and is brought up to the mailbox at open and before every
query (api.search.feeding); ingest and catch_up feed it as mail arrives; purged mail
comes through the removal queue. Commits are batched (one per catch_up batch, one per
query that finds new documents, else half a second after the last import).

Several nodes: only the holder of the account's lease (api.search.writer_lease) seals
and forgets applied removals. Any other node is a reader: its RAM copy of the latest
sealed generation, plus whatever that lacks indexed there and never sealed, so its
searches miss nothing in the mailbox with the one indexing path (no second,
decrypt-and-scan matcher to keep in step with tantivy's). A reader reloads when the
generation moves and turns writer once the lease is free or run out. An index idle
longer than `idle_seconds` is sealed (by its writer) and closed, its lease released.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from api.core.account_settings import AccountSettings, open_settings, seal_settings
from api.core.blobs import BlobService
from api.core.change_types import EMAIL_TYPE
from api.core.errors import AccountNotFoundError, SearchOffError
from api.core.mail_search import Ranked, TextCondition, TextTree
from api.core.unlocked import UnlockedAccount
from api.mime.email_view import ParsedEmail
from api.search.account_index import NewEmail
from api.search.feeding import Feeder, OpenIndex, Progress
from api.search.snapshots import Snapshots
from api.search.writer_lease import WriterLease
from api.store.ids import AccountId
from api.store.records import EmailRecord
from api.store.search_leases import LeaseView
from api.store.unit_of_work import Store

__all__ = ["Progress", "SearchService"]

# Seconds after an import before its commit, so a burst of APPENDs shares one.
_COMMIT_DELAY = 0.5


@dataclass(frozen=True, slots=True)
class _Choice:
    on: bool
    language: str


class SearchService:
    def __init__(
        self,
        store: Store,
        blobs: BlobService,
        ram_dir: Path,
        idle_seconds: float = 300.0,
        lease_seconds: float = 30.0,
    ) -> None:
        self._store = store
        self._idle = idle_seconds
        self.lease = WriterLease(store, lease_seconds)
        self._snapshots = Snapshots(store, ram_dir, self.lease)
        self._feeder = Feeder(store, blobs, self._snapshots.flush)
        self._open: dict[AccountId, OpenIndex] = {}
        self._locks: dict[AccountId, asyncio.Lock] = {}
        self._choices: dict[AccountId, _Choice] = {}

    def _lock(self, account_id: AccountId) -> asyncio.Lock:
        return self._locks.setdefault(account_id, asyncio.Lock())

    # --- the account's setting ---------------------------------------------------------

    async def _settings(self, unlocked: UnlockedAccount) -> AccountSettings:
        async with self._store.transaction() as tx:
            account = await tx.accounts.get(unlocked.account_id)
        if account is None:
            raise AccountNotFoundError()
        return open_settings(unlocked.master_key, unlocked.account_id, account.settings_blob)

    async def _choice(self, unlocked: UnlockedAccount) -> _Choice:
        choice = self._choices.get(unlocked.account_id)
        if choice is None:
            settings = await self._settings(unlocked)
            choice = _Choice(settings.search, settings.search_language)
            self._choices[unlocked.account_id] = choice
        return choice

    async def settings(self, unlocked: UnlockedAccount) -> AccountSettings:
        return await self._settings(unlocked)

    async def enabled(self, unlocked: UnlockedAccount) -> bool:
        return (await self._choice(unlocked)).on

    async def set_enabled(
        self,
        unlocked: UnlockedAccount,
        on: bool,
        language: str | None = None,
        progress: Progress | None = None,
    ) -> AccountSettings:
        """Turn search on (the index is built at once) or off (every trace is deleted)."""
        account_id = unlocked.account_id
        async with self._lock(account_id):
            async with self._store.transaction() as tx:
                account = await tx.accounts.get(account_id)
                if account is None:
                    raise AccountNotFoundError()
                old = open_settings(unlocked.master_key, account_id, account.settings_blob)
                # Only the search fields change; every other setting is kept as it was.
                new = msgspec.structs.replace(
                    old,
                    search=on,
                    search_language=old.search_language if language is None else language,
                )
                sealed = seal_settings(unlocked.master_key, account_id, new)
                await tx.accounts.set_settings(account_id, sealed)
            self._choices[account_id] = _Choice(new.search, new.search_language)
            if not on or new.search_language != old.search_language:
                await self._drop(account_id)
        if on:
            await self.open(unlocked, progress)
        return new

    # --- MailSearch (api.core.mail_search) ---------------------------------------------

    async def stored(
        self, unlocked: UnlockedAccount, record: EmailRecord, parsed: ParsedEmail
    ) -> None:
        if not await self.enabled(unlocked):
            return
        await self._close_idle(keep=unlocked.account_id)
        async with self._lock(unlocked.account_id):
            opened = await self._opened(unlocked)
            email = NewEmail(record.id, record.received_at, parsed=parsed)
            await asyncio.to_thread(opened.index.add, [email])
            if opened.flush_task is None:
                opened.flush_task = asyncio.create_task(self._flush_later(unlocked.account_id))

    async def settled(self, unlocked: UnlockedAccount, records: Sequence[EmailRecord]) -> None:
        if not await self.enabled(unlocked):
            return
        await self._close_idle(keep=unlocked.account_id)
        async with self._lock(unlocked.account_id):
            opened = await self._opened(unlocked)
            await self._feeder.index_records(unlocked, opened.index, list(records))
            await self._snapshots.flush(unlocked.account_id, opened)

    async def matching(
        self, unlocked: UnlockedAccount, conditions: Sequence[TextCondition]
    ) -> Mapping[TextCondition, frozenset[str]]:
        if not await self.enabled(unlocked):
            raise SearchOffError()
        await self._close_idle(keep=unlocked.account_id)
        async with self._lock(unlocked.account_id):
            opened = await self._ready(unlocked, removals=True)
            return await asyncio.to_thread(opened.index.search, conditions)

    async def ranked(
        self,
        unlocked: UnlockedAccount,
        tree: TextTree,
        *,
        ascending: bool,
        count: int,
        hidden: frozenset[str],
    ) -> Ranked:
        if not await self.enabled(unlocked):
            raise SearchOffError()
        await self._close_idle(keep=unlocked.account_id)
        async with self._lock(unlocked.account_id):
            # Queued removals come in `hidden` (api.core.ranked_query): no read here.
            opened = await self._ready(unlocked, removals=False)
            ids, total = await asyncio.to_thread(
                opened.index.ranked, tree, ascending, count, hidden
            )
        return Ranked(ids, total)

    async def apply_removals(self, unlocked: UnlockedAccount) -> None:
        opened = self._open.get(unlocked.account_id)
        if opened is not None:  # a closed index applies them when it opens
            async with self._lock(unlocked.account_id):
                await self._snapshots.apply_removals(unlocked.account_id, opened)

    # --- opening, roles, sealing -------------------------------------------------------

    async def open(self, unlocked: UnlockedAccount, progress: Progress | None = None) -> OpenIndex:
        """The account's open index: restored and reconciled on first use."""
        await self._close_idle(keep=unlocked.account_id)
        async with self._lock(unlocked.account_id):
            return await self._opened(unlocked, progress)

    async def _opened(
        self, unlocked: UnlockedAccount, progress: Progress | None = None
    ) -> OpenIndex:
        """open() for a caller that holds the account's lock."""
        account_id = unlocked.account_id
        opened = self._open.get(account_id)
        if opened is None:
            writer = await self.lease.acquire(account_id)
            language = (await self._choice(unlocked)).language
            opened = await self._snapshots.restore(unlocked, language, writer)
            opened.renewed_at = time.monotonic()
            self._open[account_id] = opened
            await self._snapshots.apply_removals(account_id, opened)
            await self._feeder.reconcile(unlocked, opened, progress)
        opened.last_used = time.monotonic()
        return opened

    async def _ready(self, unlocked: UnlockedAccount, *, removals: bool) -> OpenIndex:
        """Before a query: the right role, every email of the mailbox in the index,
        queued removals applied (unless the caller hides them), additions committed."""
        account_id = unlocked.account_id
        opened = await self._opened(unlocked)
        async with self._store.transaction() as tx:
            view = await tx.search_leases.get(account_id)
            state = await tx.changes.state(account_id, EMAIL_TYPE)
        if await self._keeps_role(account_id, opened, view):
            await self._feeder.catch_up(unlocked, opened, state)
        else:
            self._open.pop(account_id, None)
            await self._discard(opened)
            opened = await self._opened(unlocked)
        if removals:
            await self._snapshots.apply_removals(account_id, opened)
        if opened.index.dirty:
            await self._snapshots.flush(account_id, opened)
        return opened

    async def _keeps_role(
        self, account_id: AccountId, opened: OpenIndex, view: LeaseView | None
    ) -> bool:
        """False when the index must be reopened: a writer that lost its lease, a
        reader that can take it, or whose sealed generation moved."""
        if opened.writer:
            if not self.lease.held(view):
                return False
            if time.monotonic() - opened.renewed_at > self.lease.renew_after:
                if not await self.lease.acquire(account_id):
                    return False
                opened.renewed_at = time.monotonic()
            return True
        if self.lease.takeable(view):
            return False
        return view is not None and view.generation == opened.generation

    async def _flush_later(self, account_id: AccountId) -> None:
        await asyncio.sleep(_COMMIT_DELAY)
        async with self._lock(account_id):
            opened = self._open.get(account_id)
            if opened is None:
                return
            opened.flush_task = None
            await self._snapshots.flush(account_id, opened)

    # --- closing and deleting ----------------------------------------------------------

    async def _close_idle(self, keep: AccountId) -> None:
        cutoff = time.monotonic() - self._idle
        for account_id in [a for a, o in self._open.items() if o.last_used < cutoff]:
            if account_id != keep:
                await self.close_account(account_id)

    async def close_account(self, account_id: AccountId) -> None:
        """A writer seals what is left and releases the lease; the RAM directory goes."""
        async with self._lock(account_id):
            opened = self._open.pop(account_id, None)
            if opened is None:
                return
            if opened.writer:
                await self._snapshots.apply_removals(account_id, opened)
                if await self._snapshots.flush(account_id, opened):
                    await self.lease.release(account_id)
            await self._discard(opened)

    async def _discard(self, opened: OpenIndex) -> None:
        if opened.flush_task is not None:
            opened.flush_task.cancel()
        await asyncio.to_thread(opened.index.close)

    async def _drop(self, account_id: AccountId) -> None:
        """Every trace of the index: the RAM directory and the sealed rows; the lease is
        taken from any other writer, so none seals over the emptied snapshot."""
        opened = self._open.pop(account_id, None)
        if opened is not None:
            await self._discard(opened)
        async with self._store.transaction() as tx:
            await tx.search_files.remove_all(account_id)
            await self.lease.seize(tx, account_id)

    async def reindex(self, unlocked: UnlockedAccount, progress: Progress | None = None) -> int:
        """Rebuild the account's index from its mail; returns how many emails it holds."""
        if not await self.enabled(unlocked):
            raise SearchOffError()
        async with self._lock(unlocked.account_id):
            await self._drop(unlocked.account_id)
        opened = await self.open(unlocked, progress)
        return len(opened.index.keys)

    def memory_bytes(self, account_id: AccountId) -> int:
        """RAM the account's index files take (the writer's arena comes on top)."""
        opened = self._open.get(account_id)
        return 0 if opened is None else opened.index.ram_bytes()

    async def close(self) -> None:
        for account_id in list(self._open):
            await self.close_account(account_id)
