"""Email/get and Email/changes (RFC 8621 4.2, 4.3 on RFC 8620 5.1, 5.2)."""

from __future__ import annotations

from typing import Any

import msgspec

from api.jmap.email_render import (
    BodyOptions,
    check_body_properties,
    check_properties,
    needs_message,
    render_email,
)
from api.jmap.errors import CannotCalculateChangesError, InvalidArgumentsError, RequestTooLargeError
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.states import parse_state, state_string
from api.store.changes import StateTooOldError

__all__ = ["ChangesArguments", "GetArguments", "changes_response", "email_changes", "email_get"]

# /changes without maxChanges: enough for any client to catch up in a few calls.
DEFAULT_MAX_CHANGES = 10_000


class GetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    ids: list[str] | None = None
    properties: list[str] | None = None
    body_properties: list[str] | None = None
    fetch_text_body_values: bool = False
    fetch_html_body_values: bool = msgspec.field(default=False, name="fetchHTMLBodyValues")
    fetch_all_body_values: bool = False
    max_body_value_bytes: int = 0


class ChangesArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    since_state: str
    max_changes: int | None = None


async def email_get(context: MethodContext, arguments: GetArguments) -> dict[str, Any]:
    properties = check_properties(arguments.properties)
    if arguments.max_body_value_bytes < 0:
        raise InvalidArgumentsError("maxBodyValueBytes must not be negative")
    options = BodyOptions(
        body_properties=check_body_properties(arguments.body_properties),
        fetch_text=arguments.fetch_text_body_values,
        fetch_html=arguments.fetch_html_body_values,
        fetch_all=arguments.fetch_all_body_values,
        max_bytes=arguments.max_body_value_bytes,
    )
    if arguments.ids is None:
        # 5.1 allows refusing "all records" where there can be many; Email/query pages.
        raise RequestTooLargeError("Email/get needs ids; find them with Email/query")
    limit = context.limits.max_objects_in_get
    if limit is not None and len(arguments.ids) > limit:
        raise RequestTooLargeError(f"at most {limit} ids per Email/get")
    service = context.services.emails
    full = needs_message(properties)
    views, state = await service.get(context.unlocked, arguments.ids, blobs=full)
    by_id = {view.record.id: view for view in views}
    listed = []
    for email_id in dict.fromkeys(arguments.ids):
        view = by_id.get(email_id)
        if view is None:
            continue
        parsed = await service.parsed(context.unlocked, view.record, view.blob) if full else None
        listed.append(render_email(view, properties, parsed, options))
    return {
        "accountId": context.account_id,
        "state": state_string(state),
        "list": listed,
        "notFound": [i for i in dict.fromkeys(arguments.ids) if i not in by_id],
    }


async def changes_response(
    context: MethodContext, arguments: ChangesArguments, type_name: str
) -> dict[str, Any]:
    """RFC 8620 5.2 for a type whose changes EmailService tracks (Email, Thread)."""
    if arguments.max_changes is not None and arguments.max_changes < 1:
        raise InvalidArgumentsError("maxChanges must be a positive integer")
    since = parse_state(arguments.since_state)
    try:
        changes = await context.services.emails.changes(
            context.unlocked, type_name, since, arguments.max_changes or DEFAULT_MAX_CHANGES
        )
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


async def email_changes(context: MethodContext, arguments: ChangesArguments) -> dict[str, Any]:
    return await changes_response(context, arguments, "Email")
