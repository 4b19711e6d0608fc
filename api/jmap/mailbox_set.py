"""Mailbox/set (RFC 8621 2.5 on RFC 8620 5.3): create, update, destroy in one batch.

Each create, update and destroy succeeds or fails on its own, in that order; the ones
that succeed share one change-log position, so the state moves once per call.
"""

from __future__ import annotations

from typing import Any

from api.core.errors import (
    InvalidMailboxError,
    MailboxForbiddenError,
    MailboxHasChildError,
    MailboxHasEmailError,
    MailboxNotFoundError,
    SealboxError,
)
from api.core.mailboxes import MailboxBatch
from api.jmap.errors import RequestTooLargeError
from api.jmap.mailbox import render_mailbox
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.states import check_if_in_state, state_string

__all__ = ["SetArguments", "mailbox_set"]

# Client-settable properties -> (domain field name, accepted Python types).
_WRITABLE: dict[str, tuple[str, tuple[type, ...]]] = {
    "name": ("name", (str,)),
    "parentId": ("parent_id", (str, type(None))),
    "role": ("role", (str, type(None))),
    "sortOrder": ("sort_order", (int,)),
    "isSubscribed": ("is_subscribed", (bool,)),
}
_SERVER_SET = {"id", "totalEmails", "unreadEmails", "totalThreads", "unreadThreads", "myRights"}


class SetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    if_in_state: str | None = None
    create: dict[str, dict[str, Any]] | None = None
    update: dict[str, dict[str, Any]] | None = None
    destroy: list[str] | None = None
    # 2.5: without it, destroying a mailbox that holds mail is mailboxHasEmail; with it,
    # emails left in no mailbox are destroyed (and kept for Email/restore).
    on_destroy_remove_emails: bool = False


class _RefusedError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error["type"])
        self.error = error


def _set_error(kind: str, description: str, properties: list[str] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": kind, "description": description}
    if properties is not None:
        error["properties"] = properties
    return error


def _domain_set_error(exc: SealboxError) -> dict[str, Any]:
    """One table from domain errors to Mailbox SetErrors (RFC 8621 2.5)."""
    if isinstance(exc, InvalidMailboxError):
        return _set_error("invalidProperties", exc.message, exc.properties)
    kinds: list[tuple[type[SealboxError], str]] = [
        (MailboxNotFoundError, "notFound"),
        (MailboxForbiddenError, "forbidden"),
        (MailboxHasChildError, "mailboxHasChild"),
        (MailboxHasEmailError, "mailboxHasEmail"),
    ]
    kind = next((k for cls, k in kinds if isinstance(exc, cls)), "forbidden")
    return _set_error(kind, exc.message)


def _resolve(value: str, context: MethodContext, local: dict[str, str], key: str) -> str:
    """`#creationId` names an object created earlier in this request (RFC 8620 5.3)."""
    if not value.startswith("#"):
        return value
    reference = local.get(value[1:]) or context.created_ids.get(value[1:])
    if reference is None:
        raise _RefusedError(_set_error("notFound", f"unknown creation id {value}", [key]))
    return reference


def _fields(
    values: dict[str, Any], context: MethodContext, local: dict[str, str]
) -> dict[str, Any]:
    """Check a create object or patch and turn it into domain keyword arguments."""
    paths = sorted(k for k in values if "/" in k)
    if paths:
        # Mailbox has no writable nested property a patch path could reach.
        raise _RefusedError(_set_error("invalidPatch", "no nested property can be patched", paths))
    bad = sorted(k for k in values if k in _SERVER_SET or k not in _WRITABLE)
    if bad:
        raise _RefusedError(_set_error("invalidProperties", "not settable by a client", bad))
    fields: dict[str, Any] = {}
    for key, value in values.items():
        name, types = _WRITABLE[key]
        out_of_range = key == "sortOrder" and isinstance(value, int) and not 0 <= value < 2**32
        # bool is an int in Python, but not a JSON number.
        wrong_bool = key == "sortOrder" and isinstance(value, bool)
        if not isinstance(value, types) or out_of_range or wrong_bool:
            raise _RefusedError(_set_error("invalidProperties", f"{key} has the wrong type", [key]))
        if key == "parentId" and isinstance(value, str):
            value = _resolve(value, context, local, key)
        fields[name] = value
    return fields


async def _create(
    batch: MailboxBatch,
    context: MethodContext,
    creation_id: str,
    values: dict[str, Any],
    local: dict[str, str],
) -> dict[str, Any]:
    fields = _fields(values, context, local)
    if "name" not in fields:
        raise _RefusedError(_set_error("invalidProperties", "a mailbox needs a name", ["name"]))
    mailbox = await batch.create(fields.pop("name"), **fields)
    local[creation_id] = mailbox.id
    shown = render_mailbox(mailbox)
    # 5.3: return what the server chose: the id, server-set and defaulted properties.
    return {k: shown[k] for k in shown if k not in values and k not in ("uidValidity", "uidNext")}


async def mailbox_set(context: MethodContext, arguments: SetArguments) -> dict[str, Any]:
    creates, updates = arguments.create or {}, arguments.update or {}
    destroys = arguments.destroy or []
    limit = context.limits.max_objects_in_set
    if limit is not None and len(creates) + len(updates) + len(destroys) > limit:
        raise RequestTooLargeError(f"at most {limit} objects per Mailbox/set")
    result: dict[str, dict[str, Any]] = {
        "created": {},
        "updated": {},
        "notCreated": {},
        "notUpdated": {},
        "notDestroyed": {},
    }
    destroyed: list[str] = []
    local: dict[str, str] = {}
    async with context.services.mailboxes.batch(context.unlocked) as batch:
        check_if_in_state(arguments.if_in_state, batch.old_state)
        for creation_id, values in creates.items():
            try:
                result["created"][creation_id] = await _create(
                    batch, context, creation_id, values, local
                )
            except _RefusedError as failure:
                result["notCreated"][creation_id] = failure.error
            except SealboxError as exc:
                result["notCreated"][creation_id] = _domain_set_error(exc)
        for mailbox_id, patch in updates.items():
            try:
                target = _resolve(mailbox_id, context, local, "id")
                await batch.update(target, **_fields(patch, context, local))
                result["updated"][mailbox_id] = None
            except _RefusedError as failure:
                result["notUpdated"][mailbox_id] = failure.error
            except SealboxError as exc:
                result["notUpdated"][mailbox_id] = _domain_set_error(exc)
        for mailbox_id in destroys:
            try:
                target = _resolve(mailbox_id, context, local, "id")
                await batch.destroy(target, remove_emails=arguments.on_destroy_remove_emails)
                destroyed.append(target)
            except _RefusedError as failure:
                result["notDestroyed"][mailbox_id] = failure.error
            except SealboxError as exc:
                result["notDestroyed"][mailbox_id] = _domain_set_error(exc)
    context.created_ids.update(local)
    return {
        "accountId": context.account_id,
        "oldState": state_string(batch.old_state),
        "newState": state_string(batch.new_state),
        "created": result["created"] or None,
        "updated": result["updated"] or None,
        "destroyed": destroyed or None,
        "notCreated": result["notCreated"] or None,
        "notUpdated": result["notUpdated"] or None,
        "notDestroyed": result["notDestroyed"] or None,
    }
