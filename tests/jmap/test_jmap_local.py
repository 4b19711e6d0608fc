"""The in-process caller compat uses: same dispatcher, typed arguments, no HTTP limits."""

from __future__ import annotations

from typing import Any

import pytest

from api.core.unlocked import UnlockedAccount
from api.jmap.capabilities import CORE
from api.jmap.errors import UnknownCapabilityError
from api.jmap.limits import MethodLimits
from api.jmap.local import LocalJmapCaller
from api.jmap.registry import MethodContext, MethodRegistry
from api.services import Services


async def test_echo_in_process(jmap_services: Services, alice: UnlockedAccount) -> None:
    caller = LocalJmapCaller(jmap_services, alice)
    reference = {"resultOf": "one", "name": "Core/echo", "path": "/ids"}
    responses = await caller.call(
        [("Core/echo", {"ids": ["a", "b"]}, "one"), ("Core/echo", {"#ids": reference}, "two")],
        using=[CORE],
    )
    assert responses == [
        ("Core/echo", {"ids": ["a", "b"]}, "one"),
        ("Core/echo", {"ids": ["a", "b"]}, "two"),
    ]


async def test_no_max_calls_in_request(jmap_services: Services, alice: UnlockedAccount) -> None:
    # The HTTP API allows 64 calls per request; compat may batch as many as it needs.
    caller = LocalJmapCaller(jmap_services, alice)
    responses = await caller.call([("Core/echo", {"n": n}, str(n)) for n in range(200)], [CORE])
    assert len(responses) == 200
    assert responses[-1] == ("Core/echo", {"n": 199}, "199")


async def test_method_errors_and_capabilities(
    jmap_services: Services, alice: UnlockedAccount
) -> None:
    caller = LocalJmapCaller(jmap_services, alice)
    responses = await caller.call([("Mailbox/get", {}, "m")], [CORE])
    assert responses == [("error", responses[0][1], "m")]
    assert responses[0][1]["type"] == "unknownMethod"
    with pytest.raises(UnknownCapabilityError):
        await caller.call([], ["urn:example:unknown"])


async def test_no_max_objects_in_get(jmap_services: Services, alice: UnlockedAccount) -> None:
    registry = MethodRegistry()

    @registry.method("Limits/show", CORE, dict[str, Any], account_scoped=False)
    async def show(context: MethodContext, _: dict[str, Any]) -> MethodLimits:
        return context.limits

    caller = LocalJmapCaller(jmap_services, alice, registry)
    [(_, limits, _)] = await caller.call([("Limits/show", {}, "l")], [CORE])
    assert isinstance(limits, MethodLimits)
    assert limits.max_objects_in_get is None
