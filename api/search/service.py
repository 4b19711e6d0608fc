"""The search index of every unlocked account on this node: open, feed, query, seal, drop.

An account's index opens at its first unlocked use after start (restore: decrypt the
sealed files into a private RAM directory, ~ file size / 8 GB/s plus tantivy's open) and
is reconciled with the mailbox: every threaded email missing from the index is indexed
(mail delivered while locked, a tail lost to a crash between commit and seal, mail another
node stored) and every email gone from the mailbox is dropped. After that, ingest and
catch_up feed it as mail arrives, and emails dropped for good (the purge, on any node)
come through the removal queue (api.store.search_models), applied at every query, every
open and every close, so the sealed snapshot stops holding their words. Commits are
batched (one per catch_up batch, one per query that finds new documents, else half a
second after the last import) and each is followed by sealing the new files into
`search_files` in one transaction. An index idle longer than `idle_seconds` is sealed
and closed, its RAM directory deleted.

One writer per account: this process keeps one index per account. Several nodes would
each need the same account's writer; see README (Search) for the lease this calls for.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from api.core.account_settings import AccountSettings, open_settings, seal_settings
from api.core.blobs import BlobService
from api.core.errors import AccountNotFoundError, SearchOffError
from api.core.mail_search import Ranked, TextCondition, TextTree
from api.core.unlocked import UnlockedAccount
from api.mime.email_view import ParsedEmail
from api.search.account_index import AccountIndex, NewEmail, remove_stale
from api.search.sealed_files import open_file, seal_file
from api.store.ids import AccountId
from api.store.records import EmailRecord
from api.store.unit_of_work import Store
from crypto.master_key import SUBKEY_SEARCH
from crypto.secret_value import SecretBytes

__all__ = ["Progress", "SearchService"]

log = logging.getLogger("sealbox.search")

# Emails decrypted, parsed and added per worker-thread hop (and per commit) when indexing.
_BATCH = 200
# Seconds after an import before its commit, so a burst of APPENDs shares one.
_COMMIT_DELAY = 0.5
Progress = Callable[[int, int], None]


@dataclass(slots=True)
class _Open:
    index: AccountIndex
    key: SecretBytes = field(repr=False)
    last_used: float
    flush_task: asyncio.Task[None] | None = None


@dataclass(frozen=True, slots=True)
class _Choice:
    on: bool
    language: str


class SearchService:
    def __init__(
        self, store: Store, blobs: BlobService, ram_dir: Path, idle_seconds: float = 300.0
    ) -> None:
        self._store = store
        self._blobs = blobs
        self._ram_dir = ram_dir
        self._idle = idle_seconds
        self._open: dict[AccountId, _Open] = {}
        self._locks: dict[AccountId, asyncio.Lock] = {}
        self._choices: dict[AccountId, _Choice] = {}
        self._stale_checked = False

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
        opened = await self.open(unlocked)
        async with self._lock(unlocked.account_id):
            email = NewEmail(record.id, record.received_at, parsed=parsed)
            await asyncio.to_thread(opened.index.add, [email])
            if opened.flush_task is None:
                opened.flush_task = asyncio.create_task(self._flush_later(unlocked.account_id))

    async def settled(self, unlocked: UnlockedAccount, records: Sequence[EmailRecord]) -> None:
        if not await self.enabled(unlocked):
            return
        opened = await self.open(unlocked)
        async with self._lock(unlocked.account_id):
            await self._index_records(unlocked, opened, list(records))
            await self._flush(unlocked.account_id, opened)

    async def matching(
        self, unlocked: UnlockedAccount, conditions: Sequence[TextCondition]
    ) -> Mapping[TextCondition, frozenset[str]]:
        if not await self.enabled(unlocked):
            raise SearchOffError()
        opened = await self.open(unlocked)
        async with self._lock(unlocked.account_id):
            await self._fresh(unlocked.account_id, opened)
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
        opened = await self.open(unlocked)
        async with self._lock(unlocked.account_id):
            # Queued removals come in `hidden` (api.core.ranked_query): no read here.
            if opened.index.dirty:
                await self._flush(unlocked.account_id, opened)
            ids, total = await asyncio.to_thread(
                opened.index.ranked, tree, ascending, count, hidden
            )
        return Ranked(ids, total)

    async def apply_removals(self, unlocked: UnlockedAccount) -> None:
        opened = self._open.get(unlocked.account_id)
        if opened is not None:  # a closed index applies them when it opens
            async with self._lock(unlocked.account_id):
                await self._apply_removals(unlocked.account_id, opened)

    # --- opening, feeding, sealing -----------------------------------------------------

    async def open(self, unlocked: UnlockedAccount, progress: Progress | None = None) -> _Open:
        """The account's open index: restored and reconciled on first use."""
        account_id = unlocked.account_id
        await self._close_idle(keep=account_id)
        async with self._lock(account_id):
            opened = self._open.get(account_id)
            if opened is None:
                opened = await self._restore(unlocked)
                self._open[account_id] = opened
                await self._reconcile(unlocked, opened, progress)
            opened.last_used = time.monotonic()
            return opened

    async def _restore(self, unlocked: UnlockedAccount) -> _Open:
        account_id = unlocked.account_id
        started = time.perf_counter()
        if not self._stale_checked:
            await asyncio.to_thread(remove_stale, self._ram_dir)
            self._stale_checked = True
        key = unlocked.master_key.subkey(SUBKEY_SEARCH)
        language = (await self._choice(unlocked)).language
        async with self._store.transaction() as tx:
            sealed = await tx.search_files.all(account_id)

        def restore() -> AccountIndex:
            files = {n: open_file(key, account_id, n, s) for n, s in sealed.items()}
            return AccountIndex.restore(self._ram_dir, language, files)

        index = await asyncio.to_thread(restore)
        log.info(
            "search index restored",
            extra={
                "account_id": account_id,
                "files": len(sealed),
                "documents": len(index.keys),
                "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return _Open(index, key, time.monotonic())

    async def _reconcile(
        self, unlocked: UnlockedAccount, opened: _Open, progress: Progress | None
    ) -> None:
        """Index what the mailbox has and the index lacks; drop what the mailbox lost."""
        account_id = unlocked.account_id
        await self._apply_removals(account_id, opened)
        async with self._store.transaction() as tx:
            live = await tx.search_files.live_email_ids(account_id)
        gone = [e for e in opened.index.ids if e not in live]
        missing = sorted(e for e in live if e not in opened.index.ids)
        if gone:
            await asyncio.to_thread(opened.index.remove, gone)
        done = 0
        for at in range(0, len(missing), _BATCH):
            async with self._store.transaction() as tx:
                records = await tx.emails.get_many(
                    account_id, missing[at : at + _BATCH], summaries=False
                )
            await self._index_records(unlocked, opened, records)
            await self._flush(account_id, opened)
            done += len(records)
            if progress is not None:
                progress(done, len(missing))
        if gone and not missing:
            await self._flush(account_id, opened)

    async def _index_records(
        self, unlocked: UnlockedAccount, opened: _Open, records: list[EmailRecord]
    ) -> None:
        account_id = unlocked.account_id
        wanted = [r for r in records if r.id not in opened.index.ids]
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
        await asyncio.to_thread(opened.index.add, emails)

    async def _flush(self, account_id: AccountId, opened: _Open) -> None:
        """Commit and seal what changed; the caller holds the account's lock."""
        index = opened.index

        def commit_and_seal() -> tuple[dict[str, bytes], list[str]]:
            index.commit()
            written, removed = index.snapshot()
            sealed = {n: seal_file(opened.key, account_id, n, c) for n, c in written.items()}
            return sealed, removed

        sealed, removed = await asyncio.to_thread(commit_and_seal)
        if sealed or removed:
            async with self._store.transaction() as tx:
                await tx.search_files.replace(account_id, sealed, removed)

    async def _fresh(self, account_id: AccountId, opened: _Open) -> None:
        """Before a query: queued removals applied, pending additions committed."""
        await self._apply_removals(account_id, opened)
        if opened.index.dirty:
            await self._flush(account_id, opened)

    async def _apply_removals(self, account_id: AccountId, opened: _Open) -> None:
        """Delete queued ids from the index, seal that, then forget them (a crash in
        between applies them again, harmlessly); the caller holds the account's lock."""
        async with self._store.transaction() as tx:
            queued = await tx.search_files.removals(account_id)
        if not queued:
            return
        await asyncio.to_thread(opened.index.remove, queued)
        await self._flush(account_id, opened)
        async with self._store.transaction() as tx:
            await tx.search_files.forget_removals(account_id, queued)

    async def _flush_later(self, account_id: AccountId) -> None:
        await asyncio.sleep(_COMMIT_DELAY)
        async with self._lock(account_id):
            opened = self._open.get(account_id)
            if opened is None:
                return
            opened.flush_task = None
            await self._flush(account_id, opened)

    # --- closing and deleting ----------------------------------------------------------

    async def _close_idle(self, keep: AccountId) -> None:
        cutoff = time.monotonic() - self._idle
        for account_id in [a for a, o in self._open.items() if o.last_used < cutoff]:
            if account_id != keep:
                await self.close_account(account_id)

    async def close_account(self, account_id: AccountId) -> None:
        """Seal what is left and delete the RAM directory (the account locks)."""
        async with self._lock(account_id):
            opened = self._open.pop(account_id, None)
            if opened is None:
                return
            if opened.flush_task is not None:
                opened.flush_task.cancel()
            await self._apply_removals(account_id, opened)
            await self._flush(account_id, opened)
            await asyncio.to_thread(opened.index.close)

    async def _drop(self, account_id: AccountId) -> None:
        """Every trace of the index: the RAM directory and the sealed rows."""
        opened = self._open.pop(account_id, None)
        if opened is not None:
            if opened.flush_task is not None:
                opened.flush_task.cancel()
            await asyncio.to_thread(opened.index.close)
        async with self._store.transaction() as tx:
            await tx.search_files.remove_all(account_id)

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
