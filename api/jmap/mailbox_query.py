"""Mailbox/query and Mailbox/queryChanges (RFC 8621 2.3, 2.4).

Names are encrypted at rest, so the query runs over the decrypted tree in memory; an
account's mailboxes number in the hundreds at most.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from api.core.mailbox_rules import Mailbox
from api.jmap.errors import (
    CannotCalculateChangesError,
    InvalidArgumentsError,
    UnsupportedFilterError,
    UnsupportedSortError,
)
from api.jmap.query_method import Comparator, QueryChangesArguments, answer_query
from api.jmap.query_method import QueryArguments as StandardQueryArguments
from api.jmap.registry import MethodContext

__all__ = ["QueryArguments", "QueryChangesArguments", "mailbox_query", "mailbox_query_changes"]

_CONDITIONS = {"parentId", "name", "role", "hasAnyRole", "isSubscribed"}
_SORT_KEYS: dict[str, Callable[[Mailbox], Any]] = {
    "sortOrder": lambda m: m.sort_order,
    "name": lambda m: m.name.casefold(),
}


class QueryArguments(StandardQueryArguments, frozen=True, kw_only=True):
    """RFC 8621 2.3: Mailbox/query adds sortAsTree and filterAsTree."""

    sort_as_tree: bool = False
    filter_as_tree: bool = False


def _condition(mailbox: Mailbox, condition: dict[str, Any]) -> bool:
    unknown = set(condition) - _CONDITIONS
    if unknown:
        raise UnsupportedFilterError(f"unknown Mailbox filter: {', '.join(sorted(unknown))}")
    checks: dict[str, Callable[[Any], bool]] = {
        "parentId": lambda v: mailbox.parent_id == v,
        "name": lambda v: isinstance(v, str) and v.casefold() in mailbox.name.casefold(),
        "role": lambda v: mailbox.role == v,
        "hasAnyRole": lambda v: (mailbox.role is not None) == v,
        "isSubscribed": lambda v: mailbox.is_subscribed == v,
    }
    return all(checks[key](value) for key, value in condition.items())


def matches(mailbox: Mailbox, node: dict[str, Any]) -> bool:
    """Evaluate a FilterOperator / FilterCondition tree (RFC 8620 5.5)."""
    if "operator" not in node:
        return _condition(mailbox, node)
    operator, conditions = node.get("operator"), node.get("conditions")
    if not isinstance(conditions, list) or not all(isinstance(c, dict) for c in conditions):
        raise InvalidArgumentsError("a FilterOperator needs a list of conditions")
    results = [matches(mailbox, c) for c in conditions]
    if operator == "AND":
        return all(results)
    if operator == "OR":
        return any(results)
    if operator == "NOT":
        return not any(results)
    raise UnsupportedFilterError(f"unknown filter operator {operator!r}")


def _sorted(mailboxes: Sequence[Mailbox], sort: list[Comparator]) -> list[Mailbox]:
    ordered = sorted(mailboxes, key=lambda m: m.id)  # a stable final tie-break
    for comparator in reversed(sort):
        key = _SORT_KEYS.get(comparator.property)
        if key is None:
            raise UnsupportedSortError(f"cannot sort mailboxes by {comparator.property!r}")
        ordered.sort(key=key, reverse=not comparator.is_ascending)
    return ordered


def _as_tree(ordered: list[Mailbox]) -> list[Mailbox]:
    """Parents before their children, siblings in the sorted order (2.3 sortAsTree)."""
    present = {m.id for m in ordered}
    children: dict[str | None, list[Mailbox]] = {}
    for mailbox in ordered:
        parent = mailbox.parent_id if mailbox.parent_id in present else None
        children.setdefault(parent, []).append(mailbox)
    result: list[Mailbox] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        mailbox = stack.pop()
        result.append(mailbox)
        stack.extend(reversed(children.get(mailbox.id, [])))
    return result


def _filtered(
    tree: dict[str, Mailbox], filter_: dict[str, Any] | None, as_tree: bool
) -> list[Mailbox]:
    if filter_ is None:
        return list(tree.values())
    hits = {m.id for m in tree.values() if matches(m, filter_)}
    if not as_tree:
        return [m for m in tree.values() if m.id in hits]

    def ancestors_match(mailbox: Mailbox) -> bool:
        parent = mailbox.parent_id
        while parent is not None:
            if parent not in hits:
                return False
            parent = tree[parent].parent_id
        return True

    return [m for m in tree.values() if m.id in hits and ancestors_match(m)]


async def mailbox_query(context: MethodContext, arguments: QueryArguments) -> dict[str, Any]:
    listed, state = await context.services.mailboxes.snapshot(context.unlocked)
    tree = {m.id: m for m in listed}
    ordered = _sorted(
        _filtered(tree, arguments.filter, arguments.filter_as_tree), arguments.sort or []
    )
    if arguments.sort_as_tree:
        ordered = _as_tree(ordered)
    # Mailbox lists are small: clients re-query rather than ask for query changes.
    return answer_query(context, arguments, [m.id for m in ordered], state)


async def mailbox_query_changes(
    context: MethodContext, arguments: QueryChangesArguments
) -> dict[str, Any]:
    raise CannotCalculateChangesError("Mailbox queries are not tracked; run Mailbox/query again")
