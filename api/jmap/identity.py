"""Identity/get and Identity/changes (RFC 8621 6.1, 6.2), and the Identity wire shape."""

from __future__ import annotations

from functools import partial
from typing import Any

import msgspec

from api.core.identities import IdentityService
from api.core.identity_rules import Identity
from api.jmap.changes_method import ChangesArguments, answer_changes
from api.jmap.errors import InvalidArgumentsError, RequestTooLargeError
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.states import state_string
from api.store.ids import AccountId

__all__ = [
    "IDENTITY_PROPERTIES",
    "IdentityGetArguments",
    "identity_changes",
    "identity_get",
    "render_identity",
]

IDENTITY_PROPERTIES = (
    "id",
    "name",
    "email",
    "replyTo",
    "bcc",
    "textSignature",
    "htmlSignature",
    "mayDelete",
)


def render_identity(identity: Identity) -> dict[str, Any]:
    return {
        "id": identity.id,
        "name": identity.name,
        "email": identity.email,
        "replyTo": msgspec.to_builtins(identity.reply_to),
        "bcc": msgspec.to_builtins(identity.bcc),
        "textSignature": identity.text_signature,
        "htmlSignature": identity.html_signature,
        "mayDelete": identity.may_delete,
    }


class IdentityGetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    ids: list[str] | None = None
    properties: list[str] | None = None


def _properties(requested: list[str] | None) -> list[str]:
    if requested is None:
        return list(IDENTITY_PROPERTIES)
    unknown = sorted(set(requested) - set(IDENTITY_PROPERTIES))
    if unknown:
        raise InvalidArgumentsError(f"unknown Identity properties: {', '.join(unknown)}")
    # RFC 8620 5.1: the id is always returned.
    return ["id", *[p for p in requested if p != "id"]]


async def identity_get(context: MethodContext, arguments: IdentityGetArguments) -> dict[str, Any]:
    properties = _properties(arguments.properties)
    limit = context.limits.max_objects_in_get
    if arguments.ids is not None and limit is not None and len(arguments.ids) > limit:
        raise RequestTooLargeError(f"at most {limit} ids per Identity/get")
    service: IdentityService = context.services.identities
    listed, state = await service.snapshot(context.unlocked)
    identities = {i.id: i for i in listed}
    wanted = list(identities) if arguments.ids is None else arguments.ids
    found = [render_identity(identities[i]) for i in dict.fromkeys(wanted) if i in identities]
    return {
        "accountId": context.account_id,
        "state": state_string(state),
        "list": [{p: shown[p] for p in properties} for shown in found],
        "notFound": [i for i in dict.fromkeys(wanted) if i not in identities],
    }


async def identity_changes(context: MethodContext, arguments: ChangesArguments) -> dict[str, Any]:
    source = partial(context.services.identities.changes, AccountId(context.account_id))
    return await answer_changes(context, arguments, source)
