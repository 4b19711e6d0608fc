"""Fuzzing the /auth endpoints in process: any body or header gets a JSON error, never a 500."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient
from support.environment import sealbox_settings
from support.fuzzing import in_process_client
from support.fuzzing import json_values as fuzz_json

from api.services import build_services

POST_ENDPOINTS = ["/auth/login", "/auth/totp", "/auth/password", "/auth/recover", "/auth/logout"]
# The module-scoped client is shared on purpose; hypothesis need not warn about it.
FIXTURES_OK = [HealthCheck.function_scoped_fixture]
# Statuses a client may see for bad input; 500 and anything unlisted is a bug.
EXPECTED = {200, 204, 400, 401, 404, 405, 409, 413, 415, 429}

json_values = fuzz_json(max_text=40, max_key=12)
login_shaped = st.fixed_dictionaries(
    {"username": st.text(max_size=60), "password": st.text(max_size=60)},
    optional={"extra": json_values},
)
bodies = (
    st.binary(max_size=300)
    | json_values.map(lambda v: json.dumps(v).encode())
    | login_shaped.map(lambda v: json.dumps(v).encode())
)


@pytest.fixture(scope="module")
async def client(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncTestClient]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz") / "data"
    services = build_services(sealbox_settings(data_dir))
    await services.store.migrate()
    await services.domains.add("example.org")
    async with in_process_client(services) as c:
        yield c


def _assert_clean(status: int, text: str) -> None:
    assert status in EXPECTED, (status, text)
    assert "Traceback" not in text
    if status >= 400:
        body = json.loads(text)
        assert set(body) <= {"error", "detail", "retryAfter"}
        assert body["error"] != "serverFail"


@pytest.mark.parametrize("path", POST_ENDPOINTS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
async def test_any_body_gets_a_protocol_error(
    client: AsyncTestClient, path: str, body: bytes
) -> None:
    response = await client.post(path, content=body, headers={"content-type": "application/json"})
    _assert_clean(response.status_code, response.text)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.text(max_size=120), scheme=st.sampled_from(["Basic", "Bearer", "basic", "", "X"]))
async def test_any_authorization_header_gets_401(
    client: AsyncTestClient, value: str, scheme: str
) -> None:
    header = f"{scheme} {value}".strip()
    try:
        raw = header.encode("latin-1")
    except UnicodeEncodeError:
        return  # not expressible as an HTTP header
    response = await client.get("/auth/me", headers={"authorization": raw})
    _assert_clean(response.status_code, response.text)
    assert response.status_code in {400, 401, 429}
