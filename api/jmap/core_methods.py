"""Core/echo (RFC 8620 4): returns its arguments unchanged, for testing a connection."""

from __future__ import annotations

from typing import Any

from api.jmap.capabilities import CORE
from api.jmap.registry import MethodContext, MethodRegistry, MethodSpec

__all__ = ["core_echo", "register_core_methods"]


async def core_echo(_: MethodContext, arguments: dict[str, Any]) -> dict[str, Any]:
    return arguments


def register_core_methods(registry: MethodRegistry) -> None:
    # Echo takes any object, `accountId` included: it names no account of its own.
    registry.add(MethodSpec("Core/echo", CORE, dict[str, Any], core_echo, account_scoped=False))
