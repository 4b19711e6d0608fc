"""SearchSettings/get and /set (vendor capability urn:sealbox:search): the account's
full-text search switch, a singleton shaped like VacationResponse (RFC 8621 8).

Properties: `enabled` (off deletes every trace of the encrypted index; Email/query then
answers unsupportedFilter for text, body and header) and `language`, the stemmer ("" for
none; changing it rebuilds the index). The state is "0" or "1" by `enabled`: the
settings are sealed, so no change log is kept for them.
"""

from __future__ import annotations

from typing import Any

from api.core.account_settings import AccountSettings
from api.jmap.capabilities import SEARCH
from api.jmap.errors import InvalidArgumentsError
from api.jmap.registry import MethodContext, MethodRegistry
from api.jmap.singleton import (
    SINGLETON,
    SingletonGetArguments,
    SingletonSetArguments,
    singleton_lists,
    singleton_set_response,
)
from api.search.schema import LANGUAGES

__all__ = ["register_search_methods"]


def _shown(settings: AccountSettings) -> dict[str, Any]:
    return {"id": SINGLETON, "enabled": settings.search, "language": settings.search_language}


async def search_settings_get(
    context: MethodContext, arguments: SingletonGetArguments
) -> dict[str, Any]:
    settings = await context.services.search.settings(context.unlocked)
    return {
        "accountId": context.account_id,
        "state": str(int(settings.search)),
        **singleton_lists(arguments.ids, _shown(settings)),
    }


def _patch(patch: dict[str, Any]) -> tuple[bool | None, str | None]:
    unknown = set(patch) - {"enabled", "language"}
    if unknown:
        raise InvalidArgumentsError(f"unknown SearchSettings properties: {sorted(unknown)}")
    enabled, language = patch.get("enabled"), patch.get("language")
    if enabled is not None and not isinstance(enabled, bool):
        raise InvalidArgumentsError("enabled must be true or false")
    if language is not None and language not in LANGUAGES:
        raise InvalidArgumentsError(f"language must be one of {sorted(LANGUAGES)}")
    return enabled, language


async def search_settings_set(
    context: MethodContext, arguments: SingletonSetArguments
) -> dict[str, Any]:
    search = context.services.search
    old = await search.settings(context.unlocked)
    not_updated: dict[str, Any] = {}
    updated: dict[str, Any] = {}
    for target, patch in (arguments.update or {}).items():
        if target != SINGLETON:
            not_updated[target] = {"type": "notFound"}
            continue
        try:
            enabled, language = _patch(patch)
        except InvalidArgumentsError as exc:
            not_updated[target] = {"type": "invalidProperties", "description": exc.args[0]}
            continue
        on = old.search if enabled is None else enabled
        await search.set_enabled(context.unlocked, on, language)
        updated[target] = None
    new = await search.settings(context.unlocked)
    states = (str(int(old.search)), str(int(new.search)))
    return singleton_set_response(arguments, "SearchSettings", states, updated, not_updated)


def register_search_methods(registry: MethodRegistry) -> None:
    registry.method("SearchSettings/get", SEARCH, SingletonGetArguments)(search_settings_get)
    registry.method("SearchSettings/set", SEARCH, SingletonSetArguments)(search_settings_set)
