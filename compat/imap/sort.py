"""SORT and UID SORT (RFC 5256 3, with RFC 5957's DISPLAYFROM and DISPLAYTO): the
messages SEARCH would choose, in the order of the criteria.

Sort keys come from one Email/get of the matches and are compared here, not by
Email/query's sort: RFC 5256 fixes the comparisons (base subject, the first address's
local part, the sent date in UTC) and JMAP's comparators differ.
"""

from __future__ import annotations

from compat.imap.context import Context, Reply
from compat.imap.proto.commands import Sort
from compat.imap.search import matching
from compat.imap.sortable import Sortable, sort_properties

__all__ = ["handle_sort", "sort_messages"]


def sort_messages(messages: list[Sortable], criteria: list[tuple[str, bool]]) -> list[Sortable]:
    """Ordered by each (criterion, reverse) in turn, then by sequence number, which
    REVERSE never turns (3): stable sorts from the last criterion to the first."""
    ordered = sorted(messages, key=lambda m: m.seq)
    for criterion, reverse in reversed(criteria):
        ordered.sort(key=lambda m: m.facts.key(criterion), reverse=reverse)
    return ordered


async def handle_sort(context: Context, request: Sort) -> Reply:
    criteria = [(c.key, c.reverse) for c in request.criteria]
    properties = sort_properties([criterion for criterion, _ in criteria])
    found = await matching(context, request.key, properties, current=request.uid)
    messages = [Sortable(uid if request.uid else seq, seq, facts) for seq, uid, facts in found]
    numbers = " ".join(str(m.number) for m in sort_messages(messages, criteria))
    await context.wire.untagged(f"SORT {numbers}".rstrip().encode())
    return Reply("sorted")
