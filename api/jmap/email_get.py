"""Email/get and Email/changes (RFC 8621 4.2, 4.3 on RFC 8620 5.1, 5.2)."""

from __future__ import annotations

from functools import partial
from typing import Any

import msgspec

from api.core.change_types import EMAIL_TYPE
from api.jmap.changes_method import ChangesArguments, answer_changes
from api.jmap.email_render import (
    BodyOptions,
    check_body_properties,
    check_properties,
    needs_message,
    needs_summary,
    render_email,
    render_row,
)
from api.jmap.errors import InvalidArgumentsError, RequestTooLargeError
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.states import state_string

__all__ = ["GetArguments", "email_changes", "email_get"]


class GetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    ids: list[str] | None = None
    properties: list[str] | None = None
    body_properties: list[str] | None = None
    fetch_text_body_values: bool = False
    fetch_html_body_values: bool = msgspec.field(default=False, name="fetchHTMLBodyValues")
    fetch_all_body_values: bool = False
    max_body_value_bytes: int = 0


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
    if not full and not needs_summary(properties):
        # Flag listings (IMAP FETCH FLAGS of a whole mailbox): rows only, nothing opened.
        records, state = await service.rows(context.unlocked, arguments.ids)
        rows = {record.id: record for record in records}
        return {
            "accountId": context.account_id,
            "state": state_string(state),
            "list": [
                render_row(rows[i], properties) for i in dict.fromkeys(arguments.ids) if i in rows
            ],
            "notFound": [i for i in dict.fromkeys(arguments.ids) if i not in rows],
        }
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


async def email_changes(context: MethodContext, arguments: ChangesArguments) -> dict[str, Any]:
    source = partial(context.services.emails.changes, context.unlocked, EMAIL_TYPE)
    return await answer_changes(context, arguments, source)
