"""An account's sealed snapshot in `search_files`: restored into RAM, sealed after commits.

Restore decrypts every sealed file into a private RAM directory (~ file size / 8 GB/s
plus tantivy's open). After a commit the writer seals each new or rewritten file
(api.search.sealed_files) and stores them in one transaction that also checks the
writer lease and moves the sealed generation (api.search.writer_lease), so a restore
sees one whole snapshot and a node that lost its lease writes nothing. A reader only
commits: its additions stay in its RAM directory. Every method expects the caller to
hold the account's lock (api.search.service).
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from api.core.unlocked import UnlockedAccount
from api.search.account_index import AccountIndex, remove_stale
from api.search.feeding import OpenIndex
from api.search.sealed_files import open_file, seal_file
from api.search.writer_lease import WriterLease
from api.store.ids import AccountId
from api.store.unit_of_work import Store
from crypto.master_key import SUBKEY_SEARCH

__all__ = ["Snapshots"]

log = logging.getLogger("sealbox.search")


class Snapshots:
    def __init__(self, store: Store, ram_dir: Path, lease: WriterLease) -> None:
        self._store = store
        self._ram_dir = ram_dir
        self._lease = lease
        self._stale_checked = False

    async def restore(self, unlocked: UnlockedAccount, language: str, writer: bool) -> OpenIndex:
        account_id = unlocked.account_id
        started = time.perf_counter()
        if not self._stale_checked:
            await asyncio.to_thread(remove_stale, self._ram_dir)
            self._stale_checked = True
        key = unlocked.master_key.subkey(SUBKEY_SEARCH)
        async with self._store.transaction() as tx:
            # The generation first: the files read next are that one's or newer.
            view = await tx.search_leases.get(account_id)
            sealed = await tx.search_files.all(account_id)

        def restore() -> AccountIndex:
            files = {n: open_file(key, account_id, n, s) for n, s in sealed.items()}
            return AccountIndex.restore(self._ram_dir, language, files)

        index = await asyncio.to_thread(restore)
        log.info(
            "search index restored",
            extra={
                "account_id": account_id,
                "writer": writer,
                "files": len(sealed),
                "documents": len(index.keys),
                "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        generation = None if view is None else view.generation
        return OpenIndex(index, key, time.monotonic(), writer, generation)

    async def flush(self, account_id: AccountId, opened: OpenIndex) -> bool:
        """Commit; a writer also seals what changed. False if nothing was sealed because
        this node is (or just turned out to be) a reader."""
        index, writer = opened.index, opened.writer

        def commit_and_seal() -> tuple[dict[str, bytes], list[str]]:
            index.commit()
            if not writer:
                return {}, []
            written, removed = index.snapshot()
            sealed = {n: seal_file(opened.key, account_id, n, c) for n, c in written.items()}
            return sealed, removed

        sealed, removed = await asyncio.to_thread(commit_and_seal)
        if not writer:
            return False
        if sealed or removed:
            async with self._store.transaction() as tx:
                if not await self._lease.seal(tx, account_id):
                    # Taken over: this copy keeps answering until its next use reloads it.
                    opened.writer, opened.generation = False, None
                    log.warning("search lease lost", extra={"account_id": account_id})
                    return False
                await tx.search_files.replace(account_id, sealed, removed)
            opened.renewed_at = time.monotonic()  # the seal renewed the lease
        return True

    async def apply_removals(self, account_id: AccountId, opened: OpenIndex) -> None:
        """Delete queued ids from the index; a writer seals that, then forgets them (a
        crash in between applies them again, harmlessly)."""
        async with self._store.transaction() as tx:
            queued = await tx.search_files.removals(account_id)
        if not queued:
            return
        await asyncio.to_thread(opened.index.remove, queued)
        if await self.flush(account_id, opened):
            async with self._store.transaction() as tx:
                await tx.search_files.forget_removals(account_id, queued)
