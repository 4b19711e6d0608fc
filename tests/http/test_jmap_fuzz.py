"""Fuzzing POST /jmap/api in process: any body gets a problem-details 400 or a JMAP
Response (RFC 8620 3.4, 3.6.1), never a 500 or a traceback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient
from support.environment import sealbox_settings
from support.fuzzing import in_process_client
from support.fuzzing import json_values as fuzz_json
from support.services import PASSWORD, create_account

from api.services import build_services

CORE = "urn:ietf:params:jmap:core"
PROBLEM_TYPES = {
    "urn:ietf:params:jmap:error:notJSON",
    "urn:ietf:params:jmap:error:notRequest",
    "urn:ietf:params:jmap:error:unknownCapability",
    "urn:ietf:params:jmap:error:limit",
}

json_values = fuzz_json()
# Invocations whose names, arguments and references are mostly plausible, sometimes not.
names = st.sampled_from(["Core/echo", "Mailbox/get", "Email/query", "error"]) | st.text(max_size=12)
references = st.fixed_dictionaries(
    {"resultOf": st.sampled_from(["0", "1", "x"]), "name": names, "path": st.text(max_size=12)}
)
arguments = st.dictionaries(
    st.sampled_from(["accountId", "#ids", "ids", "#x", "x"]) | st.text(max_size=6),
    json_values | references,
    max_size=4,
)
invocations = st.tuples(names, arguments, st.sampled_from(["0", "1", "2"]))
requests_ = st.fixed_dictionaries(
    {
        "using": st.lists(st.sampled_from([CORE, "urn:ietf:params:jmap:mail"]), max_size=2),
        "methodCalls": st.lists(invocations, max_size=4),
    },
    optional={"createdIds": st.dictionaries(st.text(max_size=5), st.text(max_size=5))},
)
bodies = (
    st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | requests_.map(lambda v: json.dumps(v).encode())
)


@pytest.fixture(scope="module")
async def client(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncTestClient]:
    data_dir: Path = tmp_path_factory.mktemp("jmap-fuzz") / "data"
    services = build_services(sealbox_settings(data_dir))
    await services.store.migrate()
    await create_account(services, "fuzz@example.org")
    async with in_process_client(services) as c:
        login = {"username": "fuzz@example.org", "password": PASSWORD.reveal()}
        token = (await c.post("/auth/login", json=login)).json()["token"]
        c.headers["authorization"] = f"Bearer {token}"
        yield c


def _assert_protocol_answer(status: int, content_type: str, text: str) -> None:
    assert "Traceback" not in text
    body: Any = json.loads(text)
    if status == 400:
        assert content_type == "application/problem+json"
        assert body["type"] in PROBLEM_TYPES
        assert body["status"] == 400
        return
    assert status == 200, (status, text)
    assert content_type == "application/json"
    assert set(body) <= {"methodResponses", "sessionState", "createdIds"}
    # serverFail would mean a handler crashed on input it should have refused.
    errors = [args for name, args, _ in body["methodResponses"] if name == "error"]
    assert all(error["type"] != "serverFail" for error in errors)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
async def test_any_body_gets_a_jmap_answer(client: AsyncTestClient, body: bytes) -> None:
    response = await client.post(
        "/jmap/api", content=body, headers={"content-type": "application/json"}
    )
    _assert_protocol_answer(
        response.status_code, response.headers["content-type"].split(";")[0], response.text
    )
