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

# Read from the row: no decryption.
_ROW = ("receivedAt", "size")
# Read from the sealed summary: what SORT, THREAD and SEARCH's date keys compare.
_SUMMARY = ("sentAt", "subject", "from", "to", "cc", "messageId", "inReplyTo", "references")
FACT_PROPERTIES = frozenset((*_ROW, *_SUMMARY))
# Some 400 bytes a message: a connection holds at most ~40 MB of facts.
DEFAULT_FACTS = 100_000


class FactCache:
    """Facts by email id, of the properties in `held` (row facts, or row and summary)."""

    def __init__(self, limit: int = DEFAULT_FACTS) -> None:
        self._limit = limit
        self._facts: dict[str, Facts] = {}
        self._held: frozenset[str] = frozenset()

    async def facts(
        self, jmap: JmapGateway, ids: Sequence[str], properties: set[str]
    ) -> dict[str, Facts]:
        """Facts with at least `properties` (of FACT_PROPERTIES) of the live emails among
        `ids`; only ids not kept already are read, unless more properties are wanted."""
        assert properties <= FACT_PROPERTIES, properties
        wanted = frozenset(_ROW) | (frozenset(_SUMMARY) if properties - set(_ROW) else set())
        if not wanted <= self._held:
            self._facts, self._held = {}, self._held | wanted
        missing = [i for i in ids if i not in self._facts]
        read = {e["id"]: Facts(e) for e in await _get(jmap, missing, self._held)}
        if len(self._facts) + len(read) > self._limit:
            # Keep this command's members only; a mailbox larger than the limit is read
            # whole each time, as if nothing were kept.
            members = set(ids)
            self._facts = {i: f for i, f in self._facts.items() if i in members}
            if len(self._facts) + len(read) > self._limit:
                return {**self._facts, **read}
        self._facts.update(read)
        return self._facts


async def _get(jmap: JmapGateway, ids: list[str], properties: frozenset[str]) -> list[Any]:
    if not ids:
        return []
    return await jmap.get(ids, sorted(properties))
