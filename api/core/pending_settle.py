"""Mail delivered while its account was locked, settled at the account's next unlocked
use: each pending email's summary is opened with the private key, the email threaded
and its summary re-sealed under MK, a batch per transaction, then handed to the search
index. Delivery (api.core.ingest) had only the public key, so it could do neither.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from api.core.change_types import EMAIL_TYPE, THREAD_TYPE
from api.core.email_summary import open_pending_summary, seal_summary
from api.core.errors import AccountNotFoundError
from api.core.mail_search import MailSearch
from api.core.pending_mail import PendingMail
from api.core.threading import thread_change
from api.core.unlocked import UnlockedAccount
from api.store.changes import UPDATED
from api.store.records import EmailRecord
from api.store.unit_of_work import Store, Transaction

__all__ = ["PendingSettler"]

log = logging.getLogger("sealbox.ingest")

# Pending deliveries threaded per transaction at an unlock.
_CATCH_UP_BATCH = 200


class PendingSettler:
    def __init__(
        self, store: Store, pending: PendingMail, search: Callable[[], MailSearch]
    ) -> None:
        self._store = store
        self._pending = pending
        # The index in use now: api.services hands it to the ingest after building.
        self._search = search

    async def catch_up(self, unlocked: UnlockedAccount, *, force: bool = False) -> int:
        """Thread and re-seal mail delivered while the account was locked; returns how many.

        Cheap when there is nothing to do: free when no delivery was heard since the last
        clean check (api.core.pending_mail), else one indexed EXISTS. So every mail read
        calls it first: no client ever sees a pending email's missing threadId. `force`
        asks the database whatever the record says.
        """
        account_id = unlocked.account_id
        if not force and not self._pending.may_have_pending(account_id):
            return 0
        generation = self._pending.generation(account_id)
        async with self._store.transaction() as tx:
            if not await tx.emails.has_pending(account_id):
                self._pending.found_none(account_id, generation)
                return 0
        done = 0
        while True:
            async with self._store.transaction() as tx:
                modseq = await tx.changes.next_modseq(account_id)
                batch = await tx.emails.pending(account_id, _CATCH_UP_BATCH)
                if batch:
                    await self._settle(tx, unlocked, batch, modseq)
            if batch:
                try:
                    await self._search().settled(unlocked, batch)
                except Exception as exc:  # settled all the same; the index catches up at open
                    log.warning(
                        "indexing delivered mail failed",
                        extra={
                            "event": "search.index_failed",
                            "account_id": account_id,
                            "error_type": type(exc).__name__,
                        },
                    )
            done += len(batch)
            if len(batch) < _CATCH_UP_BATCH:
                self._pending.found_none(account_id, generation)
                return done

    async def _settle(
        self, tx: Transaction, unlocked: UnlockedAccount, batch: list[EmailRecord], modseq: int
    ) -> None:
        account_id = unlocked.account_id
        account = await tx.accounts.get(account_id)
        if account is None:
            raise AccountNotFoundError()
        private_key = unlocked.private_key(account.wrapped_private_key)
        threads: list[tuple[str, str]] = []
        for record in batch:
            summary = open_pending_summary(
                private_key,
                record.summary_sealed,
                account_id=account_id,
                email_id=record.id,
                blob_id=record.blob_id,
            )
            thread_id, kind = await thread_change(tx, unlocked.master_key, account_id, summary)
            threads.append((thread_id, kind))
            await tx.emails.update(
                account_id,
                record.id,
                thread_id=thread_id,
                summary_sealed=seal_summary(unlocked.master_key, account_id, record.id, summary),
                pending=False,
                modseq=modseq,
            )
        await tx.changes.record_all(
            account_id,
            modseq,
            {EMAIL_TYPE: [(r.id, UPDATED) for r in batch], THREAD_TYPE: threads},
        )
