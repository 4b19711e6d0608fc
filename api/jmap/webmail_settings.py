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
from api.jmap.registry import MethodArguments, MethodContext, MethodRegistry
from api.jmap.set_results import set_error

__all__ = ["register_webmail_methods"]

SINGLETON = "singleton"
PROPERTIES = ("id", "imageSenders")


class GetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    ids: list[str] | None = None
    properties: list[str] | None = None


class SetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    if_in_state: str | None = None
    create: dict[str, Any] | None = None
    update: dict[str, dict[str, Any]] | None = None
    destroy: list[str] | None = None


def _state(settings: AccountSettings) -> str:
    digest = hashlib.sha256("\n".join(settings.image_senders).encode()).hexdigest()
    return digest[:16]


def _shown(settings: AccountSettings, properties: list[str]) -> dict[str, Any]:
    full = {"id": SINGLETON, "imageSenders": list(settings.image_senders)}
    return {name: full[name] for name in properties}


async def webmail_settings_get(context: MethodContext, arguments: GetArguments) -> dict[str, Any]:
    properties = list(PROPERTIES) if arguments.properties is None else arguments.properties
    unknown = set(properties) - set(PROPERTIES)
    if unknown:
        raise InvalidArgumentsError(f"unknown WebmailSettings properties: {sorted(unknown)}")
    settings = await read_settings(context.services.store, context.unlocked)
    wanted = [SINGLETON] if arguments.ids is None else list(dict.fromkeys(arguments.ids))
    return {
        "accountId": context.account_id,
        "state": _state(settings),
        "list": [_shown(settings, ["id", *properties]) for i in wanted if i == SINGLETON],
        "notFound": [i for i in wanted if i != SINGLETON],
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


async def webmail_settings_set(context: MethodContext, arguments: SetArguments) -> dict[str, Any]:
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
    forbidden = set_error("singleton", "WebmailSettings is a singleton")
    return {
        "accountId": context.account_id,
        "oldState": _state(old),
        "newState": _state(new),
        "created": None,
        "updated": updated or None,
        "destroyed": None,
        "notCreated": {k: forbidden for k in arguments.create or {}} or None,
        "notUpdated": not_updated or None,
        "notDestroyed": {k: forbidden for k in arguments.destroy or []} or None,
    }


def register_webmail_methods(registry: MethodRegistry) -> None:
    registry.method("WebmailSettings/get", WEBMAIL, GetArguments)(webmail_settings_get)
    registry.method("WebmailSettings/set", WEBMAIL, SetArguments)(webmail_settings_set)
