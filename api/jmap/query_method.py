"""The standard /query and /queryChanges arguments (RFC 8620 5.5, 5.6) and the answer of a
query whose whole sorted result fits in memory (mailboxes, quotas, submissions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from api.jmap.query_paging import page
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.states import state_string

__all__ = ["Comparator", "QueryArguments", "QueryChangesArguments", "answer_query"]


class Comparator(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    property: str
    is_ascending: bool = True
    collation: str | None = None


class QueryArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    filter: dict[str, Any] | None = None
    sort: list[Comparator] | None = None
    position: int = 0
    anchor: str | None = None
    anchor_offset: int = 0
    limit: int | None = None
    calculate_total: bool = False


class QueryChangesArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    filter: dict[str, Any] | None = None
    sort: list[Comparator] | None = None
    since_query_state: str
    max_changes: int | None = None
    up_to_id: str | None = None
    calculate_total: bool = False


def answer_query(
    context: MethodContext,
    arguments: QueryArguments,
    ids: Sequence[str],
    state: int,
    *,
    can_calculate_changes: bool = False,
) -> dict[str, Any]:
    """The /query response for the full sorted `ids`: the window the arguments ask for."""
    position, window = page(
        ids,
        position=arguments.position,
        anchor=arguments.anchor,
        anchor_offset=arguments.anchor_offset,
        limit=arguments.limit,
    )
    response: dict[str, Any] = {
        "accountId": context.account_id,
        "queryState": state_string(state),
        "canCalculateChanges": can_calculate_changes,
        "position": position,
        "ids": window,
    }
    if arguments.calculate_total:
        response["total"] = len(ids)
    return response
