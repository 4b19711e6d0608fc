"""The immutable facts SEARCH, SORT and THREAD judge by, kept per connection (RFC 5256 3,
RFC 9051 6.4.4): arrival time and size (row metadata), and the sent date, subject,
addresses and message ids (the sealed summary).

Only keywords and mailboxes of an email ever change (RFC 8621 4.1.1), so a fact read once
stays true: a repeated SORT of a 16,000-message mailbox reads only the members it has not
seen, where it opened and rendered every summary each time. Keywords are never kept here
(they come from the session's listing). The facts are plaintext in this connection's
memory only, which holds the account's unlocked keys for as long anyway (DESIGN.md: mail
is decrypted only in memory while an account is unlocked in a session); they go with the
connection and are bounded by `DEFAULT_FACTS` messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from compat.imap.gateway import JmapGateway
from compat.imap.sortable import Facts

__all__ = ["DEFAULT_FACTS", "FACT_PROPERTIES", "FactCache"]

# Arrival and size from the row (no decryption); the rest from the sealed summary.
FACT_PROPERTIES = frozenset(
    {"receivedAt", "size", "sentAt", "subject", "from", "to", "cc"}
    | {"messageId", "inReplyTo", "references"}
)
# Measured ~600 bytes a message for a date sort's facts, ~2 KB with every property: a
# connection holds at most ~100 MB of facts, most hold far less.
DEFAULT_FACTS = 50_000


class FactCache:
    """Facts by email id, each holding the properties in `held`: only what was asked
    for is read (a DATE sort opens no address lists), more when a later command asks."""

    def __init__(self, limit: int = DEFAULT_FACTS) -> None:
        self._limit = limit
        self._facts: dict[str, Facts] = {}
        self._held: frozenset[str] = frozenset()

    async def facts(
        self, jmap: JmapGateway, ids: Sequence[str], properties: set[str]
    ) -> dict[str, Facts]:
        """Facts with at least `properties` (of FACT_PROPERTIES) of the live emails among
        `ids`, reading only what is not kept already."""
        assert properties <= FACT_PROPERTIES, properties
        members = set(ids)
        if len(self._facts) + len(ids) > self._limit:
            # Keep this command's members only.
            self._facts = {i: f for i, f in self._facts.items() if i in members}
        added = frozenset(properties) - self._held
        if added:
            # Those kept and not asked for now would lack the added properties.
            kept = [i for i in ids if i in self._facts]
            got = {e["id"]: e for e in await _get(jmap, kept, added)}
            self._facts = {i: self._facts[i] for i in kept if i in got}  # not destroyed
            for email_id, email in got.items():
                self._facts[email_id].email.update(email)
            self._held |= added
        missing = [i for i in ids if i not in self._facts]
        read = {e["id"]: Facts(e) for e in await _get(jmap, missing, self._held)}
        if len(self._facts) + len(read) > self._limit:
            # A mailbox larger than the limit is read each time, as if nothing were kept.
            return {**self._facts, **read}
        self._facts.update(read)
        return self._facts


async def _get(jmap: JmapGateway, ids: list[str], properties: frozenset[str]) -> list[Any]:
    if not ids:
        return []
    return await jmap.get(ids, sorted(properties))
