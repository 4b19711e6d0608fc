"""Identity/set (RFC 8621 6.3 on RFC 8620 5.3): create, update, destroy in one batch.

`email` is set on create only and must be an address of the account (else forbidden);
the account's default identity cannot be destroyed (mayDelete false).
"""

from __future__ import annotations

from typing import Any

from api.core.errors import (
    IdentityForbiddenError,
    IdentityNotFoundError,
    InvalidIdentityError,
    SealboxError,
)
from api.core.identities import IdentityBatch
from api.jmap.errors import RequestTooLargeError
from api.jmap.identity import render_identity
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.set_results import RefusedError, set_error
from api.jmap.states import check_if_in_state, state_string
from api.mime.addresses import EmailAddress

__all__ = ["IdentitySetArguments", "identity_set"]

# Client-settable text properties -> domain field names.
_TEXTS = {"name": "name", "textSignature": "text_signature", "htmlSignature": "html_signature"}
_ADDRESS_LISTS = {"replyTo": "reply_to", "bcc": "bcc"}
_SERVER_SET = {"id", "mayDelete"}


class IdentitySetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    if_in_state: str | None = None
    create: dict[str, dict[str, Any]] | None = None
    update: dict[str, dict[str, Any]] | None = None
    destroy: list[str] | None = None


def _domain_set_error(exc: SealboxError) -> dict[str, Any]:
    """One table from domain errors to Identity SetErrors (RFC 8621 6.3)."""
    if isinstance(exc, InvalidIdentityError):
        return set_error("invalidProperties", exc.message, exc.properties)
    kinds: list[tuple[type[SealboxError], str]] = [
        (IdentityNotFoundError, "notFound"),
        (IdentityForbiddenError, "forbidden"),
    ]
    kind = next((k for cls, k in kinds if isinstance(exc, cls)), "forbidden")
    return set_error(kind, exc.message)


def _invalid(key: str, why: str = "has the wrong type") -> RefusedError:
    return RefusedError(set_error("invalidProperties", f"{key} {why}", [key]))


def _addresses(key: str, value: Any) -> list[EmailAddress] | None:
    """An EmailAddress[]|null (RFC 8621 4.1.2.3); a missing name counts as null."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise _invalid(key)
    addresses = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"name", "email"}:
            raise _invalid(key)
        name, email = item.get("name"), item.get("email")
        if not isinstance(email, str) or not isinstance(name, str | None):
            raise _invalid(key)
        addresses.append(EmailAddress(name=name, email=email))
    return addresses


def _fields(values: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Check a create object or patch and turn it into domain keyword arguments."""
    paths = sorted(k for k in values if "/" in k)
    if paths:
        # Patching into replyTo/bcc by path is not offered; the whole list is replaced.
        raise RefusedError(set_error("invalidPatch", "no nested property can be patched", paths))
    writable = {*_TEXTS, *_ADDRESS_LISTS, "email"}
    bad = sorted(k for k in values if k in _SERVER_SET or k not in writable)
    if bad:
        raise RefusedError(set_error("invalidProperties", "not settable by a client", bad))
    fields: dict[str, Any] = {}
    for key, value in values.items():
        if key in _ADDRESS_LISTS:
            fields[_ADDRESS_LISTS[key]] = _addresses(key, value)
        elif not isinstance(value, str):
            raise _invalid(key)
        else:
            fields[_TEXTS.get(key, key)] = value
    if creating and "email" not in fields:
        raise _invalid("email", "is required")
    return fields


async def _create(batch: IdentityBatch, values: dict[str, Any]) -> dict[str, Any]:
    fields = _fields(values, creating=True)
    identity = await batch.create(fields.pop("email"), **fields)
    shown = render_identity(identity)
    # RFC 8620 5.3: return what the server chose: the id, server-set and defaulted values.
    return {k: v for k, v in shown.items() if k not in values}


def _resolve(value: str, context: MethodContext, local: dict[str, str]) -> str:
    """`#creationId` names an identity created earlier in this request (RFC 8620 5.3)."""
    if not value.startswith("#"):
        return value
    reference = local.get(value[1:]) or context.created_ids.get(value[1:])
    if reference is None:
        raise RefusedError(set_error("notFound", f"unknown creation id {value}"))
    return reference


async def identity_set(context: MethodContext, arguments: IdentitySetArguments) -> dict[str, Any]:
    creates, updates = arguments.create or {}, arguments.update or {}
    destroys = arguments.destroy or []
    limit = context.limits.max_objects_in_set
    if limit is not None and len(creates) + len(updates) + len(destroys) > limit:
        raise RequestTooLargeError(f"at most {limit} objects per Identity/set")
    created: dict[str, Any] = {}
    updated: dict[str, Any] = {}
    failed: dict[str, dict[str, Any]] = {"notCreated": {}, "notUpdated": {}, "notDestroyed": {}}
    destroyed: list[str] = []
    local: dict[str, str] = {}
    async with context.services.identities.batch(context.unlocked) as batch:
        check_if_in_state(arguments.if_in_state, batch.old_state)
        for creation_id, values in creates.items():
            try:
                created[creation_id] = await _create(batch, values)
                local[creation_id] = created[creation_id]["id"]
            except RefusedError as failure:
                failed["notCreated"][creation_id] = failure.error
            except SealboxError as exc:
                failed["notCreated"][creation_id] = _domain_set_error(exc)
        for identity_id, patch in updates.items():
            try:
                target = _resolve(identity_id, context, local)
                await batch.update(target, **_fields(patch, creating=False))
                updated[identity_id] = None
            except RefusedError as failure:
                failed["notUpdated"][identity_id] = failure.error
            except SealboxError as exc:
                failed["notUpdated"][identity_id] = _domain_set_error(exc)
        for identity_id in destroys:
            try:
                target = _resolve(identity_id, context, local)
                await batch.destroy(target)
                destroyed.append(target)
            except RefusedError as failure:
                failed["notDestroyed"][identity_id] = failure.error
            except SealboxError as exc:
                failed["notDestroyed"][identity_id] = _domain_set_error(exc)
    context.created_ids.update(local)
    return {
        "accountId": context.account_id,
        "oldState": state_string(batch.old_state),
        "newState": state_string(batch.new_state),
        "created": created or None,
        "updated": updated or None,
        "destroyed": destroyed or None,
        **{name: errors or None for name, errors in failed.items()},
    }
