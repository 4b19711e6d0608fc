"""VacationResponse/get and /set (RFC 8621 8.1, 8.2): the singleton with id "singleton".

It cannot be created or destroyed (SetError singleton); only "singleton" can be updated.
An enabled vacation text is readable by the server (api/core/vacation.py says why).
"""

from __future__ import annotations

import contextlib
from typing import Any

from api.core.errors import InvalidVacationError
from api.core.vacation import SINGLETON, VacationResponse
from api.jmap.dates import parse_utc_date, utc_date
from api.jmap.errors import InvalidArgumentsError
from api.jmap.registry import MethodContext
from api.jmap.set_results import RefusedError, set_error
from api.jmap.singleton import (
    SingletonGetArguments,
    SingletonSetArguments,
    singleton_lists,
    singleton_set_response,
)
from api.jmap.states import check_if_in_state, state_string

__all__ = [
    "VACATION_PROPERTIES",
    "render_vacation",
    "vacation_get",
    "vacation_set",
]

VACATION_PROPERTIES = (
    "id",
    "isEnabled",
    "fromDate",
    "toDate",
    "subject",
    "textBody",
    "htmlBody",
)
# Wire name -> domain field.
_FIELDS = {
    "isEnabled": "is_enabled",
    "fromDate": "from_date",
    "toDate": "to_date",
    "subject": "subject",
    "textBody": "text_body",
    "htmlBody": "html_body",
}


def render_vacation(vacation: VacationResponse) -> dict[str, Any]:
    def date(seconds: int | None) -> str | None:
        return None if seconds is None else utc_date(seconds)

    return {
        "id": SINGLETON,
        "isEnabled": vacation.is_enabled,
        "fromDate": date(vacation.from_date),
        "toDate": date(vacation.to_date),
        "subject": vacation.subject,
        "textBody": vacation.text_body,
        "htmlBody": vacation.html_body,
    }


def _properties(requested: list[str] | None) -> list[str]:
    if requested is None:
        return list(VACATION_PROPERTIES)
    unknown = sorted(set(requested) - set(VACATION_PROPERTIES))
    if unknown:
        raise InvalidArgumentsError(f"unknown VacationResponse properties: {', '.join(unknown)}")
    return ["id", *[p for p in requested if p != "id"]]


async def vacation_get(context: MethodContext, arguments: SingletonGetArguments) -> dict[str, Any]:
    properties = _properties(arguments.properties)
    vacation, state = await context.services.vacation.snapshot(context.unlocked)
    shown = render_vacation(vacation)
    return {
        "accountId": context.account_id,
        "state": state_string(state),
        **singleton_lists(arguments.ids, {p: shown[p] for p in properties}),
    }


def _value(key: str, value: Any) -> Any:
    """The domain value of one property, or invalidProperties naming it."""
    if key == "isEnabled":
        if isinstance(value, bool):
            return value
    elif key in ("fromDate", "toDate"):
        if value is None:
            return None
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return parse_utc_date(value)
    elif value is None or isinstance(value, str):
        return value
    raise RefusedError(set_error("invalidProperties", f"{key} has the wrong type", [key]))


def _fields(patch: dict[str, Any]) -> dict[str, Any]:
    """Check a patch of the singleton and turn it into domain keyword arguments."""
    paths = sorted(k for k in patch if "/" in k)
    if paths:
        raise RefusedError(set_error("invalidPatch", "no nested property can be patched", paths))
    bad = sorted(k for k in patch if k not in _FIELDS)
    if bad:
        raise RefusedError(set_error("invalidProperties", "not settable by a client", bad))
    return {_FIELDS[key]: _value(key, value) for key, value in patch.items()}


async def vacation_set(context: MethodContext, arguments: SingletonSetArguments) -> dict[str, Any]:
    updated: dict[str, Any] = {}
    not_updated: dict[str, Any] = {}
    async with context.services.vacation.batch(context.unlocked) as batch:
        check_if_in_state(arguments.if_in_state, batch.old_state)
        for object_id, patch in (arguments.update or {}).items():
            if object_id != SINGLETON:
                not_updated[object_id] = set_error("notFound", "the only id is singleton")
                continue
            try:
                await batch.update(**_fields(patch))
                updated[object_id] = None
            except RefusedError as failure:
                not_updated[object_id] = failure.error
            except InvalidVacationError as exc:
                not_updated[object_id] = set_error("invalidProperties", exc.message, exc.properties)
    states = (state_string(batch.old_state), state_string(batch.new_state))
    return singleton_set_response(arguments, "VacationResponse", states, updated, not_updated)
