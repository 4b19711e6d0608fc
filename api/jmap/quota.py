"""Quota/get, /changes, /query, /queryChanges (RFC 9425 4): the account's mail storage.

One quota per account, of octets, scope "account", for Mail; none is shown while the
account has no limit. Its state is the Email state: `used` moves only with email writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.jmap.capabilities import QUOTA
from api.jmap.changes_method import ChangesArguments
from api.jmap.errors import (
    CannotCalculateChangesError,
    InvalidArgumentsError,
    UnsupportedFilterError,
    UnsupportedSortError,
)
from api.jmap.query_method import QueryArguments, QueryChangesArguments, answer_query
from api.jmap.registry import MethodArguments, MethodContext, MethodRegistry
from api.jmap.states import parse_state, state_string
from api.store.ids import AccountId

__all__ = ["QUOTA_ID", "register_quota_methods"]

QUOTA_ID = "mail"
_PROPERTIES = (
    "id", "name", "resourceType", "used", "hardLimit", "scope", "types", "description",
)  # fmt: skip


class GetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    ids: list[str] | None = None
    properties: list[str] | None = None


async def _quotas(context: MethodContext) -> tuple[list[dict[str, Any]], int]:
    quota = await context.services.quota.mail(AccountId(context.account_id))
    state = await context.services.emails.state(context.unlocked)
    if quota.limit is None:
        return [], state
    shown = {
        "id": QUOTA_ID,
        "name": "Mail storage",
        "resourceType": "octets",
        "used": quota.used,
        "hardLimit": quota.limit,
        "scope": "account",
        "types": ["Mail"],
        "description": "Messages in your mailboxes; deleted mail kept for recovery is not counted",
    }
    return [shown], state


async def quota_get(context: MethodContext, arguments: GetArguments) -> dict[str, Any]:
    properties = list(_PROPERTIES) if arguments.properties is None else arguments.properties
    unknown = sorted(set(properties) - set(_PROPERTIES))
    if unknown:
        raise InvalidArgumentsError(f"unknown Quota properties: {', '.join(unknown)}")
    quotas, state = await _quotas(context)
    by_id = {q["id"]: q for q in quotas}
    wanted = list(by_id) if arguments.ids is None else list(dict.fromkeys(arguments.ids))
    return {
        "accountId": context.account_id,
        "state": state_string(state),
        "list": [{p: by_id[i][p] for p in ("id", *properties)} for i in wanted if i in by_id],
        "notFound": [i for i in wanted if i not in by_id],
    }


async def quota_changes(context: MethodContext, arguments: ChangesArguments) -> dict[str, Any]:
    since = parse_state(arguments.since_state)
    quotas, state = await _quotas(context)
    if since > state:
        raise CannotCalculateChangesError(f"state {since} was never issued")
    return {
        "accountId": context.account_id,
        "oldState": arguments.since_state,
        "newState": state_string(state),
        "hasMoreChanges": False,
        "created": [],
        "updated": [q["id"] for q in quotas] if since < state else [],
        "destroyed": [],
    }


def _matches(quota: dict[str, Any], condition: dict[str, Any]) -> bool:
    checks: dict[str, Callable[[Any], bool]] = {
        "name": lambda v: isinstance(v, str) and v.casefold() in quota["name"].casefold(),
        "scope": lambda v: quota["scope"] == v,
        "resourceType": lambda v: quota["resourceType"] == v,
        "type": lambda v: v in quota["types"],
    }
    unknown = set(condition) - set(checks)
    if unknown or "operator" in condition:
        raise UnsupportedFilterError("Quota filters: name, scope, resourceType, type")
    return all(checks[key](value) for key, value in condition.items())


async def quota_query(context: MethodContext, arguments: QueryArguments) -> dict[str, Any]:
    for comparator in arguments.sort or []:
        if comparator.property not in ("name", "used"):
            raise UnsupportedSortError(f"cannot sort quotas by {comparator.property!r}")
    quotas, state = await _quotas(context)
    hits = [q["id"] for q in quotas if _matches(q, arguments.filter or {})]
    return answer_query(context, arguments, hits, state)


async def quota_query_changes(
    context: MethodContext, arguments: QueryChangesArguments
) -> dict[str, Any]:
    raise CannotCalculateChangesError("an account has one quota; run Quota/query again")


def register_quota_methods(registry: MethodRegistry) -> None:
    registry.method("Quota/get", QUOTA, GetArguments)(quota_get)
    registry.method("Quota/changes", QUOTA, ChangesArguments)(quota_changes)
    registry.method("Quota/query", QUOTA, QueryArguments)(quota_query)
    registry.method("Quota/queryChanges", QUOTA, QueryChangesArguments)(quota_query_changes)
