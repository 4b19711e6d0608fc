"""What the singleton types share (RFC 8621 8: VacationResponse, and the vendor
SearchSettings and WebmailSettings): one object whose id is "singleton", with /get and
/set arguments shaped like any other type's."""

from __future__ import annotations

from typing import Any

from api.jmap.registry import MethodArguments
from api.jmap.set_results import set_error

__all__ = [
    "SINGLETON",
    "SingletonGetArguments",
    "SingletonSetArguments",
    "singleton_lists",
    "singleton_set_response",
]

SINGLETON = "singleton"


class SingletonGetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    ids: list[str] | None = None
    properties: list[str] | None = None


class SingletonSetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    if_in_state: str | None = None
    create: dict[str, Any] | None = None
    update: dict[str, dict[str, Any]] | None = None
    destroy: list[str] | None = None


def singleton_lists(ids: list[str] | None, shown: dict[str, Any]) -> dict[str, list[Any]]:
    """/get's `list` and `notFound` (RFC 8620 5.1): the object for "singleton" (or for
    ids null), every other id not found."""
    wanted = [SINGLETON] if ids is None else list(dict.fromkeys(ids))
    return {
        "list": [shown for i in wanted if i == SINGLETON],
        "notFound": [i for i in wanted if i != SINGLETON],
    }


def singleton_set_response(
    arguments: SingletonSetArguments,
    type_name: str,
    states: tuple[str, str],
    updated: dict[str, Any],
    not_updated: dict[str, Any],
) -> dict[str, Any]:
    """/set's answer (RFC 8620 5.3) for a singleton: create and destroy always refused
    with SetError "singleton"; `states` is (oldState, newState)."""
    refused = set_error(
        "singleton", f"{type_name} is a singleton: it cannot be created or destroyed"
    )
    return {
        "accountId": arguments.account_id,
        "oldState": states[0],
        "newState": states[1],
        "created": None,
        "updated": updated or None,
        "destroyed": None,
        "notCreated": {k: refused for k in arguments.create or {}} or None,
        "notUpdated": not_updated or None,
        "notDestroyed": {k: refused for k in arguments.destroy or []} or None,
    }
