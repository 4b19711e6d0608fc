"""In-memory order for Email/query (RFC 8621 4.4.2, 4.4.3): summary sorts, collapseThreads.

SQL orders plaintext sorts; when a comparator needs the sealed summary (from, to,
subject), the candidates are ordered here with the same rules: stable sorts from the
last comparator to the first, over an id tie-break in the last comparator's direction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.core.email_filter import SUMMARY_SORTS, EmailComparator, sort_text
from api.core.email_summary import EmailSummary
from api.store.email_query import Candidate

__all__ = ["Hit", "first_of_thread", "sort_hits"]

# A candidate that passed the filter, with its summary when one was opened.
Hit = tuple[Candidate, EmailSummary | None]


def sort_hits(hits: list[Hit], sort: tuple[EmailComparator, ...]) -> None:
    """In-memory order for summary sorts: stable sorts, last comparator first."""
    hits.sort(key=lambda hit: hit[0].id, reverse=not sort[-1].ascending)
    keyed: list[tuple[EmailComparator, int | None]] = []
    plain_index = 0
    for comparator in sort:
        if comparator.property in SUMMARY_SORTS:
            keyed.append((comparator, None))
        else:
            keyed.append((comparator, plain_index))
            plain_index += 1
    for comparator, index in reversed(keyed):
        hits.sort(key=_sort_key(comparator, index), reverse=not comparator.ascending)


def _sort_key(comparator: EmailComparator, index: int | None) -> Callable[[Hit], Any]:
    if index is None:
        return lambda hit: sort_text(comparator, _opened(hit[1]))
    return lambda hit: hit[0].sort_values[index]


def _opened(summary: EmailSummary | None) -> EmailSummary:
    assert summary is not None
    return summary


def first_of_thread(seen: set[str], candidate: Candidate) -> bool:
    """collapseThreads: true for the first email seen of its thread (a pending one is alone)."""
    thread = candidate.thread_id or candidate.id
    if thread in seen:
        return False
    seen.add(thread)
    return True
