"""The API pipeline without HTTP (RFC 8620 3.3-3.4, 3.6.1): limits, using, createdIds."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from api.core.unlocked import UnlockedAccount
from api.jmap.endpoint import JmapApi
from api.jmap.errors import LimitError, NotRequestError, UnknownCapabilityError
from api.jmap.limits import CoreLimits, RequestGate
from api.jmap.registry import MethodContext, MethodRegistry
from api.services import Services

CORE = "urn:ietf:params:jmap:core"


def _body(calls: list[Any], using: list[str] | None = None, **extra: Any) -> bytes:
    return json.dumps({"using": using or [CORE], "methodCalls": calls, **extra}).encode()


async def test_echo_and_session_state(jmap_services: Services, alice: UnlockedAccount) -> None:
    api = JmapApi(jmap_services)
    response = await api.handle(_body([["Core/echo", {"x": 1}, "c"]]), alice)
    assert response.method_responses == [("Core/echo", {"x": 1}, "c")]
    assert response.session_state == api.session(alice).state
    assert response.created_ids is None


async def test_created_ids_are_echoed(jmap_services: Services, alice: UnlockedAccount) -> None:
    api = JmapApi(jmap_services)
    response = await api.handle(_body([], createdIds={"k1": "M1"}), alice)
    assert response.created_ids == {"k1": "M1"}


async def test_max_calls_in_request(jmap_services: Services, alice: UnlockedAccount) -> None:
    api = JmapApi(jmap_services, limits=CoreLimits(max_calls_in_request=2))
    await api.handle(_body([["Core/echo", {}, str(n)] for n in range(2)]), alice)
    with pytest.raises(LimitError) as caught:
        await api.handle(_body([["Core/echo", {}, str(n)] for n in range(3)]), alice)
    assert caught.value.limit == "maxCallsInRequest"


async def test_max_size_request(jmap_services: Services, alice: UnlockedAccount) -> None:
    body = _body([["Core/echo", {}, "c"]])
    api = JmapApi(jmap_services, limits=CoreLimits(max_size_request=len(body)))
    await api.handle(body, alice)
    with pytest.raises(LimitError) as caught:
        await api.handle(body + b" ", alice)
    assert caught.value.limit == "maxSizeRequest"


async def test_unknown_capability(jmap_services: Services, alice: UnlockedAccount) -> None:
    api = JmapApi(jmap_services)
    with pytest.raises(UnknownCapabilityError):
        await api.handle(_body([], using=[CORE, "urn:ietf:params:jmap:contacts"]), alice)
    with pytest.raises(NotRequestError):
        await api.handle(b'{"using": []}', alice)


async def test_gate_refuses_requests_over_the_limit() -> None:
    gate = RequestGate(2)
    release = asyncio.Event()
    inside = [asyncio.Event(), asyncio.Event()]

    async def hold(account: str, entered: asyncio.Event) -> None:
        async with gate.enter(account):
            entered.set()
            await release.wait()

    holders = [asyncio.create_task(hold("a1", event)) for event in inside]
    await asyncio.gather(*(event.wait() for event in inside))
    with pytest.raises(LimitError) as caught:
        async with gate.enter("a1"):
            pass
    assert caught.value.limit == "maxConcurrentRequests"
    # Other accounts have their own allowance.
    async with gate.enter("a2"):
        pass
    release.set()
    await asyncio.gather(*holders)
    async with gate.enter("a1"):
        pass


async def test_concurrent_requests_of_one_account_are_limited(
    jmap_services: Services, alice: UnlockedAccount
) -> None:
    registry = MethodRegistry()
    started, release = asyncio.Event(), asyncio.Event()

    @registry.method("Slow/wait", CORE, dict[str, Any], account_scoped=False)
    async def slow(_: MethodContext, __: dict[str, Any]) -> dict[str, Any]:
        started.set()
        await release.wait()
        return {}

    api = JmapApi(jmap_services, registry, CoreLimits(max_concurrent_requests=1))
    first = asyncio.create_task(api.handle(_body([["Slow/wait", {}, "s"]]), alice))
    await started.wait()
    with pytest.raises(LimitError) as caught:
        await api.handle(_body([]), alice)
    assert caught.value.limit == "maxConcurrentRequests"
    release.set()
    assert (await first).method_responses == [("Slow/wait", {}, "s")]
    # The slot is free again once the first request is done.
    assert (await api.handle(_body([]), alice)).method_responses == []
