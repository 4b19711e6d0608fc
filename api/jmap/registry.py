"""The method registry: "Type/method" -> capability, argument type and handler (RFC 8620 3.2).

Each data-type module registers its methods on a `MethodRegistry`; the dispatcher looks
calls up here. A handler gets a `MethodContext` and its arguments already converted to
the registered type, and returns a msgspec Struct or a dict.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from api.core.unlocked import UnlockedAccount
from api.jmap.limits import MethodLimits
from api.services import Services

__all__ = [
    "Handler",
    "ImplicitCalls",
    "MethodArguments",
    "MethodContext",
    "MethodRegistry",
    "MethodSpec",
]

A = TypeVar("A")


class MethodArguments(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True
):
    """Base of argument Structs: camelCase on the wire, unknown arguments refused (3.6.2)."""


@dataclass(frozen=True)
class MethodContext:
    """What one call may use: who is calling, the node's services, the request's state."""

    unlocked: UnlockedAccount
    services: Services
    # The request's creation id -> server id map (3.3); /set handlers add to it.
    created_ids: dict[str, str]
    limits: MethodLimits

    @property
    def account_id(self) -> str:
        return self.unlocked.account_id


Handler = Callable[[MethodContext, Any], Awaitable[Any]]


@dataclass(frozen=True)
class ImplicitCalls:
    """A response followed by calls the server makes for the client, answered under the
    same call id right after it (RFC 8621 7.5 onSuccessUpdateEmail/DestroyEmail)."""

    response: Any
    calls: list[tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class MethodSpec:
    name: str
    capability: str
    arguments: type[Any]
    handler: Handler
    # Methods acting on an account check `accountId` against the caller's (accountNotFound).
    account_scoped: bool = True


class MethodRegistry:
    def __init__(self) -> None:
        self._methods: dict[str, MethodSpec] = {}

    def add(self, spec: MethodSpec) -> None:
        if spec.name in self._methods:
            raise ValueError(f"{spec.name} is registered twice")
        self._methods[spec.name] = spec

    def method(
        self, name: str, capability: str, arguments: type[A], *, account_scoped: bool = True
    ) -> Callable[[Callable[[MethodContext, A], Awaitable[Any]]], Handler]:
        """Decorator form of `add`."""

        def register(handler: Callable[[MethodContext, A], Awaitable[Any]]) -> Handler:
            self.add(MethodSpec(name, capability, arguments, handler, account_scoped))
            return handler

        return register

    def get(self, name: str) -> MethodSpec | None:
        return self._methods.get(name)

    def capabilities(self) -> frozenset[str]:
        return frozenset(spec.capability for spec in self._methods.values())

    def names(self) -> list[str]:
        return sorted(self._methods)
