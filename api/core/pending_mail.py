"""Which accounts may hold pending (locked-delivered) mail, so catch_up can skip its query.

EmailIngest.catch_up runs before every mail read; most of the time nothing was delivered
since the last one, and its EXISTS query is a whole transaction spent learning that. This
per-process record lets it skip the query for an account it has seen clean, until a
delivery to that account commits. It is a cache of "no pending mail", never of "some":

- every account starts unknown (process start, or when the mark is older than MAX_AGE);
- a mark is set only by a check that found nothing, and only if no delivery to the
  account was heard while that check ran (the generation did not move);
- every committed delivery clears the account's mark: Store calls `delivered` after a
  local commit, and on PostgreSQL for every node's commit through LISTEN/NOTIFY
  (api/store/state_relay.py), this node's own included;
- marks are trusted only while the store hears every delivery (`Store.hears_deliveries`:
  SQLite in one process, or PostgreSQL with the relay up); the age limit bounds what a
  writer the store cannot hear (another process on the SQLite file) could hide.

A delivery that commits on another node is heard a moment later; a read in between may
skip the check, and EmailService.get settles any pending email that still reaches it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from api.store.ids import AccountId

__all__ = ["MAX_AGE", "PendingMail"]

# Seconds a "nothing pending" mark is believed without asking the database again.
MAX_AGE = 30.0


class PendingMail:
    def __init__(
        self,
        trusted: Callable[[], bool] = lambda: True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._trusted = trusted
        self._clock = clock
        self._clean: dict[AccountId, float] = {}
        self._generations: dict[AccountId, int] = {}

    def may_have_pending(self, account_id: AccountId) -> bool:
        marked = self._clean.get(account_id)
        if marked is None or not self._trusted():
            return True
        if self._clock() - marked > MAX_AGE:
            del self._clean[account_id]
            return True
        return False

    def generation(self, account_id: AccountId) -> int:
        """Taken before a check; `found_none` compares it to see no delivery raced it."""
        return self._generations.get(account_id, 0)

    def found_none(self, account_id: AccountId, generation: int) -> None:
        if self._generations.get(account_id, 0) == generation:
            self._clean[account_id] = self._clock()

    def delivered(self, account_ids: Iterable[AccountId]) -> None:
        for account_id in account_ids:
            self._clean.pop(account_id, None)
            self._generations[account_id] = self._generations.get(account_id, 0) + 1
