"""Thread/get and Thread/changes (RFC 8621 3.1, 3.2): the emails of a conversation, oldest first."""

from __future__ import annotations

from functools import partial
from typing import Any

from api.core.change_types import THREAD_TYPE
from api.jmap.changes_method import ChangesArguments, answer_changes
from api.jmap.errors import InvalidArgumentsError, RequestTooLargeError
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.states import state_string

__all__ = ["ThreadGetArguments", "thread_changes", "thread_get"]

_PROPERTIES = frozenset({"id", "emailIds"})


class ThreadGetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    ids: list[str] | None = None
    properties: list[str] | None = None


async def thread_get(context: MethodContext, arguments: ThreadGetArguments) -> dict[str, Any]:
    properties = ["id", "emailIds"] if arguments.properties is None else arguments.properties
    unknown = sorted(set(properties) - _PROPERTIES)
    if unknown:
        raise InvalidArgumentsError(f"unknown Thread properties: {', '.join(unknown)}")
    if arguments.ids is None:
        raise RequestTooLargeError("Thread/get needs ids; they come from Email/get threadId")
    limit = context.limits.max_objects_in_get
    if limit is not None and len(arguments.ids) > limit:
        raise RequestTooLargeError(f"at most {limit} ids per Thread/get")
    wanted = list(dict.fromkeys(arguments.ids))
    members, state = await context.services.emails.threads(context.unlocked, wanted)
    listed = []
    for thread_id in wanted:
        if thread_id in members:
            thread = {"id": thread_id, "emailIds": members[thread_id]}
            listed.append({p: thread[p] for p in ("id", *properties) if p in thread})
    return {
        "accountId": context.account_id,
        "state": state_string(state),
        "list": listed,
        "notFound": [t for t in wanted if t not in members],
    }


async def thread_changes(context: MethodContext, arguments: ChangesArguments) -> dict[str, Any]:
    source = partial(context.services.emails.changes, context.unlocked, THREAD_TYPE)
    return await answer_changes(context, arguments, source)
