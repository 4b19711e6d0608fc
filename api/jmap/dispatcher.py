"""Runs a request's method calls in order (RFC 8620 3.3, 3.5, 3.6.2, 3.7).

Each call is looked up in the registry, checked against `using`, has its result
references resolved against the responses so far, its `accountId` checked and its
arguments converted to the method's type; then its handler runs. A failing call becomes
an "error" response and the next call still runs.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from typing import Any, get_origin

import msgspec

from api.jmap.errors import (
    AccountNotFoundError,
    InvalidArgumentsError,
    MethodError,
    ServerFailError,
    UnknownCapabilityError,
    UnknownMethodError,
)
from api.jmap.references import resolve_references
from api.jmap.registry import ImplicitCalls, MethodContext, MethodRegistry, MethodSpec

__all__ = ["Call", "Dispatcher", "MethodResponse", "check_using"]

log = logging.getLogger("sealbox.jmap")

# [name, arguments, call id]: arguments are a JSON object or, in process, a typed Struct.
Call = tuple[str, "dict[str, Any] | msgspec.Struct", str]
MethodResponse = tuple[str, Any, str]


def check_using(using: Collection[str], supported: Collection[str]) -> None:
    """3.3: every capability in `using` must be one this server has (unknownCapability)."""
    unknown = sorted(set(using) - set(supported))
    if unknown:
        raise UnknownCapabilityError(f"unsupported capabilities: {', '.join(unknown)}")


def _check_account(spec: MethodSpec, account_id: Any, context: MethodContext) -> None:
    if not spec.account_scoped or account_id is None:
        return
    if not isinstance(account_id, str):
        raise InvalidArgumentsError("accountId must be a string")
    # An account the caller cannot see is reported exactly like one that does not exist.
    if account_id != context.account_id:
        raise AccountNotFoundError(f"no account {account_id!r} for this user")


class Dispatcher:
    def __init__(self, registry: MethodRegistry) -> None:
        self._registry = registry

    async def run(
        self, calls: Sequence[Call], using: Collection[str], context: MethodContext
    ) -> list[MethodResponse]:
        responses: list[MethodResponse] = []
        for name, arguments, call_id in calls:
            implicit = await self._one(name, arguments, using, context, responses, call_id)
            # The server's own calls may use any capability it has: the client asked for
            # their effect by asking for the first call.
            for follow_name, follow_arguments in implicit:
                everything = set(using) | self._registry.capabilities()
                await self._one(
                    follow_name, follow_arguments, everything, context, responses, call_id
                )
        return responses

    async def _one(
        self,
        name: str,
        arguments: dict[str, Any] | msgspec.Struct,
        using: Collection[str],
        context: MethodContext,
        responses: list[MethodResponse],
        call_id: str,
    ) -> list[tuple[str, dict[str, Any]]]:
        """Run one call and append its response; returns the implicit calls it asks for."""
        try:
            result = await self._call(name, arguments, using, context, responses)
        except MethodError as error:
            responses.append(("error", error.arguments(), call_id))
        except Exception as exc:  # one broken method must not take the request down
            # The type only: an exception's text may quote mail or secrets.
            log.error(
                "method failed",
                extra={
                    "event": "jmap.method_failed",
                    "method": name,
                    "account_id": context.account_id,
                    "error_type": type(exc).__name__,
                },
            )
            responses.append(("error", ServerFailError().arguments(), call_id))
        else:
            if isinstance(result, ImplicitCalls):
                responses.append((name, result.response, call_id))
                return result.calls
            responses.append((name, result, call_id))
        return []

    async def _call(
        self,
        name: str,
        arguments: dict[str, Any] | msgspec.Struct,
        using: Collection[str],
        context: MethodContext,
        responses: Sequence[MethodResponse],
    ) -> Any:
        spec = self._registry.get(name)
        if spec is None:
            raise UnknownMethodError(f"unknown method {name!r}")
        if spec.capability not in using:
            # 3.6.2: a method of a capability the client did not ask for is unknown to it.
            raise UnknownMethodError(f"{name} needs {spec.capability!r} in `using`")
        typed = self._arguments(spec, arguments, context, responses)
        return await spec.handler(context, typed)

    def _arguments(
        self,
        spec: MethodSpec,
        arguments: dict[str, Any] | msgspec.Struct,
        context: MethodContext,
        responses: Sequence[MethodResponse],
    ) -> Any:
        if isinstance(arguments, msgspec.Struct):
            if get_origin(spec.arguments) is None and isinstance(arguments, spec.arguments):
                # In process: already the method's own type, nothing to resolve or convert.
                _check_account(spec, getattr(arguments, "account_id", None), context)
                return arguments
            arguments = msgspec.to_builtins(arguments)
        if not isinstance(arguments, dict):
            raise InvalidArgumentsError("arguments must be an object")
        resolved = resolve_references(arguments, responses)
        _check_account(spec, resolved.get("accountId"), context)
        try:
            return msgspec.convert(resolved, spec.arguments, strict=True)
        except msgspec.ValidationError as exc:
            raise InvalidArgumentsError(str(exc)) from None
