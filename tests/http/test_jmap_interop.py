"""Interop with jmapc, a third-party JMAP client (RFC 8620 2, 3.3, 4): it discovers the
Session at https://{host}/.well-known/jmap, follows the URLs in it and calls Core/echo.

The server runs with hostname 127.0.0.1, which is what jmapc is given as its host, so the
absolute URLs in the Session are ones it can follow.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jmapc import Client
from jmapc.methods import CoreEcho, CoreEchoResponse
from support.cli_accounts import CliAccount, add_account, add_app_password, checked_cli
from support.environment import free_port, sealbox_environment
from support.server import RunningServer, https_client, start_server

pytestmark = pytest.mark.slow

DOMAIN = "interop.example"
CORE = "urn:ietf:params:jmap:core"


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningServer, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("interop") / "data"
    port = free_port()
    env = sealbox_environment(data_dir, SEALBOX_HTTP_PORT=str(port), SEALBOX_HOSTNAME="127.0.0.1")
    server = start_server(data_dir, env, port)
    try:
        checked_cli(env, "domain", "add", DOMAIN)
        yield server, env
    finally:
        assert server.stop() == 0, "\n".join(server.output)


@pytest.fixture
def server(
    running: tuple[RunningServer, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> RunningServer:
    # jmapc's requests session trusts REQUESTS_CA_BUNDLE: make it this server's certificate.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(running[0].cert_path))
    return running[0]


@pytest.fixture(scope="module")
def account(running: tuple[RunningServer, dict[str, str]]) -> tuple[CliAccount, str]:
    created = add_account(running[1], DOMAIN)
    return created, add_app_password(running[1], created, "jmapc")


def _host(server: RunningServer) -> str:
    return f"127.0.0.1:{server.http_port}"


def test_jmapc_reads_the_session_with_an_app_password(
    server: RunningServer, account: tuple[CliAccount, str]
) -> None:
    created, app_password = account
    client = Client.create_with_password(_host(server), created.address, app_password)
    session = client.jmap_session
    assert session.username == created.address
    assert session.api_url == f"https://{_host(server)}/jmap/api/"
    assert session.capabilities.core.max_calls_in_request == 64
    with https_client(server) as http:
        raw = http.get("/.well-known/jmap", auth=(created.address, app_password)).json()
    assert session.state == raw["state"]
    assert client.account_id == session.primary_accounts.core
    assert list(raw["accounts"]) == [client.account_id]


def test_jmapc_echo_with_an_app_password(
    server: RunningServer, account: tuple[CliAccount, str]
) -> None:
    created, app_password = account
    client = Client.create_with_password(_host(server), created.address, app_password)
    data = {"hello": "from jmapc", "numbers": [1, 2, 3]}
    response = client.request(CoreEcho(data=data))
    assert isinstance(response, CoreEchoResponse)
    assert response.data == data


def test_jmapc_with_a_bearer_token(server: RunningServer, account: tuple[CliAccount, str]) -> None:
    created, _ = account
    with https_client(server) as http:
        login = http.post(
            "/auth/login", json={"username": created.address, "password": created.password}
        )
    assert login.status_code == 200, login.text
    client = Client.create_with_api_token(_host(server), login.json()["token"])
    assert client.jmap_session.username == created.address
    response = client.request(CoreEcho(data={"via": "bearer"}))
    assert isinstance(response, CoreEchoResponse)
    assert response.data == {"via": "bearer"}
