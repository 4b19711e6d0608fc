"""WebmailSettings/get and /set (vendor capability urn:sealbox:webmail): the webmail's
preferences, a singleton shaped like VacationResponse (RFC 8621 8; /set as RFC 8620 5.3).

Property `imageSenders`: the addresses whose remote images the reader loads without
asking, replaced whole on update. The settings are sealed and keep no change log, so the
state is a digest of the value: equal lists give equal states and `ifInState` works.
"""

from __future__ import annotations

import hashlib
from typing import Any

from api.core.account_settings import AccountSettings
from api.core.errors import InvalidWebmailSettingsError
from api.core.webmail_settings import image_sender_list, read_settings, set_image_senders
from api.jmap.capabilities import WEBMAIL
from api.jmap.errors import InvalidArgumentsError, StateMismatchError
from api.jmap.registry import MethodContext, MethodRegistry
from api.jmap.set_results import set_error
from api.jmap.singleton import (
    SINGLETON,
    SingletonGetArguments,
    SingletonSetArguments,
    singleton_lists,
    singleton_set_response,
)

__all__ = ["register_webmail_methods"]

PROPERTIES = ("id", "imageSenders")


def _state(settings: AccountSettings) -> str:
    digest = hashlib.sha256("\n".join(settings.image_senders).encode()).hexdigest()
    return digest[:16]


def _shown(settings: AccountSettings, properties: list[str]) -> dict[str, Any]:
    full = {"id": SINGLETON, "imageSenders": list(settings.image_senders)}
    return {name: full[name] for name in properties}


async def webmail_settings_get(
    context: MethodContext, arguments: SingletonGetArguments
) -> dict[str, Any]:
    properties = list(PROPERTIES) if arguments.properties is None else arguments.properties
    unknown = set(properties) - set(PROPERTIES)
    if unknown:
        raise InvalidArgumentsError(f"unknown WebmailSettings properties: {sorted(unknown)}")
    settings = await read_settings(context.services.store, context.unlocked)
    return {
        "accountId": context.account_id,
        "state": _state(settings),
        **singleton_lists(arguments.ids, _shown(settings, ["id", *properties])),
    }


def _senders(patch: dict[str, Any]) -> tuple[str, ...] | None:
    unknown = set(patch) - {"imageSenders"}
    if unknown:
        raise InvalidWebmailSettingsError(f"unknown WebmailSettings properties: {sorted(unknown)}")
    if "imageSenders" not in patch:
        return None
    value = patch["imageSenders"]
    if not isinstance(value, list):
        raise InvalidWebmailSettingsError("imageSenders must be a list of addresses")
    return image_sender_list(value)


async def webmail_settings_set(
    context: MethodContext, arguments: SingletonSetArguments
) -> dict[str, Any]:
    store = context.services.store
    old = await read_settings(store, context.unlocked)
    if arguments.if_in_state is not None and arguments.if_in_state != _state(old):
        raise StateMismatchError(f"the state is {_state(old)}, not {arguments.if_in_state}")
    new = old
    not_updated: dict[str, Any] = {}
    updated: dict[str, Any] = {}
    for target, patch in (arguments.update or {}).items():
        if target != SINGLETON:
            not_updated[target] = set_error("notFound", "WebmailSettings has only 'singleton'")
            continue
        try:
            senders = _senders(patch)
        except InvalidWebmailSettingsError as exc:
            not_updated[target] = set_error("invalidProperties", exc.message, ["imageSenders"])
            continue
        if senders is not None:
            new = await set_image_senders(store, context.unlocked, senders)
        updated[target] = None
    states = (_state(old), _state(new))
    return singleton_set_response(arguments, "WebmailSettings", states, updated, not_updated)


def register_webmail_methods(registry: MethodRegistry) -> None:
    registry.method("WebmailSettings/get", WEBMAIL, SingletonGetArguments)(webmail_settings_get)
    registry.method("WebmailSettings/set", WEBMAIL, SingletonSetArguments)(webmail_settings_set)
