"""What the core asks of the full-text index (RFC 8621 4.4.1 text conditions), implemented
by api.search, which sits above the core and is handed in at wiring (api.services).

The core never sees tantivy: ingest says what it stored, catch_up what it settled, and
Email/query asks which emails match each text condition, then combines those sets with
the plaintext (SQL) and sealed-summary conditions itself. A filter made only of text
conditions, sorted by receivedAt, is answered by the index alone (`ranked`): its first
page in receivedAt order and its total, without handing every hit to SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from api.core.errors import SearchOffError
from api.core.unlocked import UnlockedAccount
from api.mime.email_view import ParsedEmail
from api.store.records import EmailRecord

__all__ = [
    "MailSearch",
    "NoSearch",
    "Ranked",
    "TextCondition",
    "TextField",
    "TextOperator",
    "TextTree",
]

TextField = Literal["text", "body", "subject", "from", "to", "cc", "bcc", "header"]


@dataclass(frozen=True, slots=True)
class TextCondition:
    """A condition the index answers: every word of `value` (quoted words as a phrase,
    the last word also as a prefix) in `field`; for `header`, in the header `header`
    (with an empty value: the header is present)."""

    field: TextField
    value: str
    header: str | None = None


@dataclass(frozen=True, slots=True)
class TextOperator:
    """AND / OR / NOT (none of) over text conditions, as in RFC 8621 4.4.1 FilterOperator."""

    operator: Literal["AND", "OR", "NOT"]
    conditions: tuple[TextTree, ...]


TextTree = TextCondition | TextOperator


@dataclass(frozen=True, slots=True)
class Ranked:
    """The first matches of a text tree by (receivedAt, id) in one direction, and how many
    match in all."""

    ids: list[str]
    total: int


class MailSearch(Protocol):
    async def enabled(self, unlocked: UnlockedAccount) -> bool:
        """Whether the account's `search` setting is on."""
        ...

    async def stored(
        self, unlocked: UnlockedAccount, record: EmailRecord, parsed: ParsedEmail
    ) -> None:
        """An unlocked caller stored a threaded email (import, APPEND, Email/set)."""
        ...

    async def settled(self, unlocked: UnlockedAccount, records: Sequence[EmailRecord]) -> None:
        """Mail delivered while locked was just threaded by catch_up: index it."""
        ...

    async def matching(
        self, unlocked: UnlockedAccount, conditions: Sequence[TextCondition]
    ) -> Mapping[TextCondition, frozenset[str]]:
        """The ids of the emails matching each condition; SearchOffError when off."""
        ...

    async def ranked(
        self,
        unlocked: UnlockedAccount,
        tree: TextTree,
        *,
        ascending: bool,
        count: int,
        hidden: frozenset[str],
    ) -> Ranked:
        """The first `count` emails matching `tree`, leaving out `hidden` (destroyed but
        recoverable mail the index still holds), ordered as SQL orders receivedAt (ties
        by id in the same direction); SearchOffError when off."""
        ...

    async def apply_removals(self, unlocked: UnlockedAccount) -> None:
        """Drop emails queued for removal (purged) from the index and seal that now."""
        ...


class NoSearch:
    """No index at all (tools that never query): text conditions answer SearchOffError."""

    async def enabled(self, unlocked: UnlockedAccount) -> bool:
        return False

    async def stored(
        self, unlocked: UnlockedAccount, record: EmailRecord, parsed: ParsedEmail
    ) -> None:
        return None

    async def settled(self, unlocked: UnlockedAccount, records: Sequence[EmailRecord]) -> None:
        return None

    async def matching(
        self, unlocked: UnlockedAccount, conditions: Sequence[TextCondition]
    ) -> Mapping[TextCondition, frozenset[str]]:
        raise SearchOffError()

    async def ranked(
        self,
        unlocked: UnlockedAccount,
        tree: TextTree,
        *,
        ascending: bool,
        count: int,
        hidden: frozenset[str],
    ) -> Ranked:
        raise SearchOffError()

    async def apply_removals(self, unlocked: UnlockedAccount) -> None:
        return None
