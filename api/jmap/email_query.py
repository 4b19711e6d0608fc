"""Email/query and Email/queryChanges (RFC 8621 4.4, 4.5 on RFC 8620 5.5, 5.6).

queryState is the Email state. The window is capped at maxObjectsInGet for HTTP callers
(the clamped limit is returned, 5.5); the in-process caller (IMAP asking for every id of
a mailbox at once) gets the whole result when it gives no limit.
"""

from __future__ import annotations

from typing import Any

from api.core.email_query import EmailQuery, QueryWindow
from api.core.errors import (
    QueryAnchorNotFoundError,
    QueryChangesUnavailableError,
    SearchOffError,
    TooManyQueryChangesError,
)
from api.jmap.email_query_args import EmailComparatorArgument, parse_filter, parse_sort
from api.jmap.errors import (
    AnchorNotFoundError,
    CannotCalculateChangesError,
    InvalidArgumentsError,
    TooManyChangesError,
    UnsupportedFilterError,
)
from api.jmap.query_paging import clamp_limit
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.states import parse_state, state_string

__all__ = ["QueryArguments", "QueryChangesArguments", "email_query", "email_query_changes"]


class QueryArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    filter: dict[str, Any] | None = None
    sort: list[EmailComparatorArgument] | None = None
    position: int = 0
    anchor: str | None = None
    anchor_offset: int = 0
    limit: int | None = None
    calculate_total: bool = False
    collapse_threads: bool = False


class QueryChangesArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    filter: dict[str, Any] | None = None
    sort: list[EmailComparatorArgument] | None = None
    since_query_state: str
    max_changes: int | None = None
    up_to_id: str | None = None
    calculate_total: bool = False
    collapse_threads: bool = False


def _query(arguments: QueryArguments | QueryChangesArguments) -> EmailQuery:
    return EmailQuery(
        filter=parse_filter(arguments.filter),
        sort=parse_sort(arguments.sort),
        collapse_threads=arguments.collapse_threads,
    )


async def email_query(context: MethodContext, arguments: QueryArguments) -> dict[str, Any]:
    query = _query(arguments)
    limit, clamped = clamp_limit(arguments.limit, context.limits.max_objects_in_get)
    window = QueryWindow(
        position=arguments.position,
        anchor=arguments.anchor,
        anchor_offset=arguments.anchor_offset,
        limit=limit,
        calculate_total=arguments.calculate_total,
    )
    service = context.services.emails.queries
    try:
        result = await service.query(context.unlocked, query, window)
    except QueryAnchorNotFoundError as exc:
        raise AnchorNotFoundError(f"{arguments.anchor} is not in the results") from exc
    except SearchOffError as exc:
        raise UnsupportedFilterError(exc.message) from exc
    response: dict[str, Any] = {
        "accountId": context.account_id,
        "queryState": state_string(result.state),
        "canCalculateChanges": service.can_calculate_changes(query),
        "position": result.position,
        "ids": result.ids,
    }
    if result.total is not None:
        response["total"] = result.total
    if clamped:
        response["limit"] = limit
    return response


async def email_query_changes(
    context: MethodContext, arguments: QueryChangesArguments
) -> dict[str, Any]:
    query = _query(arguments)
    if arguments.max_changes is not None and arguments.max_changes < 0:
        raise InvalidArgumentsError("maxChanges must not be negative")
    since = parse_state(arguments.since_query_state)
    try:
        changes = await context.services.emails.queries.changes(
            context.unlocked,
            query,
            since,
            max_changes=arguments.max_changes,
            up_to_id=arguments.up_to_id,
            calculate_total=arguments.calculate_total,
        )
    except QueryChangesUnavailableError as exc:
        raise CannotCalculateChangesError(exc.message) from exc
    except TooManyQueryChangesError as exc:
        raise TooManyChangesError(exc.message) from exc
    response: dict[str, Any] = {
        "accountId": context.account_id,
        "oldQueryState": arguments.since_query_state,
        "newQueryState": state_string(changes.state),
        "removed": changes.removed,
        "added": [{"id": email_id, "index": index} for index, email_id in changes.added],
    }
    if changes.total is not None:
        response["total"] = changes.total
    return response
