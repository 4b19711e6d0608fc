"""The dispatcher (RFC 8620 3.3, 3.5, 3.6.2, 3.7) with a registry of small test methods."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
import pytest

from api.core.unlocked import UnlockedAccount
from api.jmap.capabilities import CORE
from api.jmap.core_methods import register_core_methods
from api.jmap.dispatcher import Dispatcher, check_using
from api.jmap.errors import ForbiddenError, UnknownCapabilityError
from api.jmap.limits import MethodLimits
from api.jmap.registry import MethodArguments, MethodContext, MethodRegistry
from api.services import Services

TEST = "urn:sealbox:test"
CANARY = "canary-7f3c-secret-mail-text"
USING = [CORE, TEST]


class GetArgs(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    ids: list[str] | None = None


class GetResponse(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    account_id: str
    list: list[dict[str, str]]


class CreateArgs(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    create: dict[str, dict[str, Any]]


def _registry(calls: list[str]) -> MethodRegistry:
    registry = MethodRegistry()
    register_core_methods(registry)

    @registry.method("Thing/get", TEST, GetArgs)
    async def thing_get(context: MethodContext, args: GetArgs) -> GetResponse:
        calls.append("Thing/get")
        ids = args.ids if args.ids is not None else ["t1", "t2"]
        return GetResponse(account_id=context.account_id, list=[{"id": i} for i in ids])

    @registry.method("Thing/set", TEST, CreateArgs)
    async def thing_set(context: MethodContext, args: CreateArgs) -> dict[str, Any]:
        calls.append("Thing/set")
        created = {}
        for number, creation_id in enumerate(args.create):
            context.created_ids[creation_id] = f"t{number + 10}"
            created[creation_id] = {"id": f"t{number + 10}"}
        # Like Foo/query's `ids`: a list a later call can take with a "*" pointer.
        order = [{"id": server_id} for server_id in context.created_ids.values()]
        return {"accountId": args.account_id, "created": created, "order": order}

    @registry.method("Thing/boom", TEST, GetArgs)
    async def thing_boom(_: MethodContext, __: GetArgs) -> None:
        calls.append("Thing/boom")
        raise RuntimeError(CANARY)

    @registry.method("Thing/refuse", TEST, GetArgs)
    async def thing_refuse(_: MethodContext, __: GetArgs) -> None:
        raise ForbiddenError("not yours", extra=1)

    return registry


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def context(jmap_services: Services, alice: UnlockedAccount) -> MethodContext:
    limits = MethodLimits(max_objects_in_get=10, max_objects_in_set=10)
    return MethodContext(alice, jmap_services, {}, limits)


async def _run(
    calls: list[str],
    context: MethodContext,
    method_calls: list[Any],
    using: list[str] = USING,
) -> list[tuple[str, Any, str]]:
    responses = await Dispatcher(_registry(calls)).run(method_calls, using, context)
    # What the wire carries: handlers' Structs become JSON objects.
    return [(name, msgspec.to_builtins(args), call_id) for name, args, call_id in responses]


async def test_echo_returns_its_arguments(calls: list[str], context: MethodContext) -> None:
    arguments = {"hello": True, "nested": {"list": [1, 2]}, "accountId": "anyone"}
    assert await _run(calls, context, [("Core/echo", arguments, "e")]) == [
        ("Core/echo", arguments, "e")
    ]


async def test_unknown_method(calls: list[str], context: MethodContext) -> None:
    responses = await _run(calls, context, [("Thing/frobnicate", {}, "c1")])
    assert responses[0][0] == "error"
    assert responses[0][1]["type"] == "unknownMethod"
    assert responses[0][2] == "c1"


async def test_method_of_a_capability_not_in_using_is_unknown(
    calls: list[str], context: MethodContext
) -> None:
    responses = await _run(calls, context, [("Thing/get", {"accountId": "aalice"}, "c1")], [CORE])
    assert responses == [("error", responses[0][1], "c1")]
    assert responses[0][1]["type"] == "unknownMethod"
    assert calls == []


@pytest.mark.parametrize(
    "arguments",
    [
        {},  # accountId missing
        {"accountId": "aalice", "ids": "t1"},
        {"accountId": "aalice", "ids": [1]},
        {"accountId": "aalice", "unknownArgument": 1},
        {"accountId": 7},
    ],
)
async def test_invalid_arguments(
    calls: list[str], context: MethodContext, arguments: dict[str, Any]
) -> None:
    responses = await _run(calls, context, [("Thing/get", arguments, "c1")])
    assert responses[0][0] == "error"
    assert responses[0][1]["type"] == "invalidArguments"
    assert responses[0][1]["description"]
    assert calls == []


async def test_another_account_is_not_found(calls: list[str], context: MethodContext) -> None:
    responses = await _run(calls, context, [("Thing/get", {"accountId": "abob"}, "c1")])
    assert responses[0][1]["type"] == "accountNotFound"
    assert calls == []


async def test_method_errors_carry_description_and_properties(
    calls: list[str], context: MethodContext
) -> None:
    responses = await _run(calls, context, [("Thing/refuse", {"accountId": "aalice"}, "r")])
    assert responses == [
        ("error", {"type": "forbidden", "description": "not yours", "extra": 1}, "r")
    ]


async def test_unexpected_exception_is_server_fail_without_its_text(
    calls: list[str], context: MethodContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    method_calls = [
        ("Thing/boom", {"accountId": "aalice"}, "b"),
        ("Thing/get", {"accountId": "aalice"}, "g"),
    ]
    responses = await _run(calls, context, method_calls)
    assert responses[0] == ("error", {"type": "serverFail"}, "b")
    # The request carries on after a failed call.
    assert responses[1][0] == "Thing/get"
    assert CANARY not in repr(responses)
    assert CANARY not in caplog.text
    failed = [r for r in caplog.records if getattr(r, "event", "") == "jmap.method_failed"]
    assert [(r.method, r.error_type, r.account_id) for r in failed] == [  # type: ignore[attr-defined]
        ("Thing/boom", "RuntimeError", "aalice")
    ]


async def test_calls_run_in_order_and_references_see_earlier_results(
    calls: list[str], context: MethodContext
) -> None:
    method_calls = [
        ("Thing/set", {"accountId": "aalice", "create": {"k1": {}, "k2": {}}}, "s"),
        (
            "Thing/get",
            {
                "accountId": "aalice",
                "#ids": {"resultOf": "s", "name": "Thing/set", "path": "/order/*/id"},
            },
            "g",
        ),
        (
            "Core/echo",
            {"#got": {"resultOf": "g", "name": "Thing/get", "path": "/list/*/id"}},
            "e",
        ),
    ]
    responses = await _run(calls, context, method_calls)
    assert calls == ["Thing/set", "Thing/get"]
    assert responses[1] == (
        "Thing/get",
        {"accountId": "aalice", "list": [{"id": "t10"}, {"id": "t11"}]},
        "g",
    )
    assert responses[2] == ("Core/echo", {"got": ["t10", "t11"]}, "e")
    assert context.created_ids == {"k1": "t10", "k2": "t11"}


async def test_bad_reference_fails_only_that_call(calls: list[str], context: MethodContext) -> None:
    method_calls = [
        ("Core/echo", {"#x": {"resultOf": "missing", "name": "Core/echo", "path": "/x"}}, "a"),
        ("Core/echo", {"x": 1}, "b"),
    ]
    responses = await _run(calls, context, method_calls)
    assert responses == [
        ("error", responses[0][1], "a"),
        ("Core/echo", {"x": 1}, "b"),
    ]
    assert responses[0][1]["type"] == "invalidResultReference"


async def test_struct_arguments_skip_json(calls: list[str], context: MethodContext) -> None:
    responses = await Dispatcher(_registry(calls)).run(
        [("Thing/get", GetArgs(account_id="aalice", ids=["t7"]), "g")], USING, context
    )
    assert responses == [("Thing/get", GetResponse(account_id="aalice", list=[{"id": "t7"}]), "g")]


async def test_struct_arguments_for_another_account(
    calls: list[str], context: MethodContext
) -> None:
    responses = await _run(calls, context, [("Thing/get", GetArgs(account_id="abob"), "g")])
    assert responses[0][1]["type"] == "accountNotFound"


def test_unknown_capability_in_using() -> None:
    check_using([CORE], {CORE})
    with pytest.raises(UnknownCapabilityError) as caught:
        check_using([CORE, "urn:example:nope"], {CORE})
    assert "urn:example:nope" in caught.value.detail
    assert caught.value.problem().type == "urn:ietf:params:jmap:error:unknownCapability"


def test_a_method_name_registers_once() -> None:
    registry = MethodRegistry()
    register_core_methods(registry)
    with pytest.raises(ValueError, match="twice"):
        register_core_methods(registry)
