"""The standard /changes method (RFC 8620 5.2), shared by every type whose changes are logged."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from api.jmap.errors import CannotCalculateChangesError, InvalidArgumentsError
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.states import parse_state, state_string
from api.store.changes import StateTooOldError
from api.store.records import ChangeSet

__all__ = ["DEFAULT_MAX_CHANGES", "ChangeSource", "ChangesArguments", "answer_changes"]

# /changes without maxChanges: enough for any client to catch up in a few calls.
DEFAULT_MAX_CHANGES = 10_000

# (since, maxChanges) -> the collapsed changes; raises StateTooOldError.
ChangeSource = Callable[[int, int], Awaitable[ChangeSet]]


class ChangesArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    since_state: str
    max_changes: int | None = None


async def answer_changes(
    context: MethodContext, arguments: ChangesArguments, source: ChangeSource
) -> dict[str, Any]:
    if arguments.max_changes is not None and arguments.max_changes < 1:
        raise InvalidArgumentsError("maxChanges must be a positive integer")
    since = parse_state(arguments.since_state)
    try:
        changes = await source(since, arguments.max_changes or DEFAULT_MAX_CHANGES)
    except StateTooOldError as exc:
        raise CannotCalculateChangesError(str(exc)) from exc
    return {
        "accountId": context.account_id,
        "oldState": arguments.since_state,
        "newState": state_string(changes.new_modseq),
        "hasMoreChanges": changes.has_more,
        "created": changes.created,
        "updated": changes.updated,
        "destroyed": changes.destroyed,
    }
