"""App passwords and TOTP managed from a signed-in session, over real HTTPS against
`sealbox serve`: the secret shown once, revocation, two-step TOTP enrolment, disabling
with a code, Basic auth refused, and wrong codes counted by the sign-in throttle.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pyotp
import pytest
from support.cli_accounts import CliAccount, add_account, checked_cli, totp_from_uri
from support.environment import free_port, sealbox_environment
from support.server import RunningServer, https_client, start_server

pytestmark = pytest.mark.slow

DOMAIN = "settings.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("node") / "data"
    port = free_port()
    env = sealbox_environment(
        data_dir,
        SEALBOX_HTTP_PORT=str(port),
        SEALBOX_LOGIN_MAX_FAILURES_PER_ACCOUNT="3",
        SEALBOX_LOGIN_MAX_FAILURES_PER_CLIENT="100000",
    )
    running = start_server(data_dir, env, port)
    checked_cli(running.env, "domain", "add", DOMAIN)
    yield running
    assert running.stop() == 0, "\n".join(running.output)


def _account(server: RunningServer) -> CliAccount:
    return add_account(server.env, DOMAIN)


@contextmanager
def _signed_in(server: RunningServer, account: CliAccount) -> Iterator[httpx.Client]:
    """A client holding the session cookie, as the webmail does."""
    with https_client(server) as client:
        response = client.post(
            "/auth/login", json={"username": account.address, "password": account.password}
        )
        assert response.status_code == 200, response.text
        yield client


def _error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = dict(response.json())
    assert body["error"] == error and body["detail"], body
    return body


def _next_code(totp: pyotp.TOTP) -> str:
    """A code for a step no earlier request used (replays are refused)."""
    return totp.at(time.time() + 30)


def test_app_password_created_once_listed_used_and_revoked(server: RunningServer) -> None:
    account = _account(server)
    with _signed_in(server, account) as client:
        assert client.get("/auth/app-passwords").json() == {"appPasswords": []}
        created = client.post("/auth/app-passwords", json={"name": "  Thunderbird  laptop "})
        assert created.status_code == 201, created.text
        body = created.json()
        assert set(body) == {"id", "name", "created", "secret"}
        assert body["name"] == "Thunderbird laptop"
        assert created.headers["cache-control"] == "no-store"
        listed = client.get("/auth/app-passwords").json()["appPasswords"]
        assert listed == [
            {
                "id": body["id"],
                "name": body["name"],
                "created": body["created"],
                "lastUsedDay": None,
            }
        ]
        assert body["secret"] not in client.get("/auth/app-passwords").text

        with https_client(server) as basic:
            auth = httpx.BasicAuth(account.address, body["secret"])
            assert basic.get("/jmap/session", auth=auth).status_code == 200
            # An app password cannot manage credentials, even though it signs in elsewhere.
            _error(basic.get("/auth/app-passwords", auth=auth), 401, "unauthorized")
            _error(basic.post("/auth/totp/enroll", auth=auth), 401, "unauthorized")
        used = client.get("/auth/app-passwords").json()["appPasswords"][0]["lastUsedDay"]
        assert used == time.strftime("%Y-%m-%d", time.gmtime())

        assert client.delete(f"/auth/app-passwords/{body['id']}").status_code == 204
        _error(client.delete(f"/auth/app-passwords/{body['id']}"), 404, "appPasswordNotFound")
        assert client.get("/auth/app-passwords").json() == {"appPasswords": []}
    with https_client(server) as basic:
        auth = httpx.BasicAuth(account.address, body["secret"])
        assert basic.get("/jmap/session", auth=auth).status_code == 401


def test_app_passwords_belong_to_their_account(server: RunningServer) -> None:
    owner, other = _account(server), _account(server)
    with _signed_in(server, owner) as client:
        app_id = client.post("/auth/app-passwords", json={"name": "phone"}).json()["id"]
    with _signed_in(server, other) as client:
        assert client.get("/auth/app-passwords").json() == {"appPasswords": []}
        _error(client.delete(f"/auth/app-passwords/{app_id}"), 404, "appPasswordNotFound")
    with _signed_in(server, owner) as client:
        assert len(client.get("/auth/app-passwords").json()["appPasswords"]) == 1


def test_credential_routes_need_a_session(server: RunningServer) -> None:
    account = _account(server)
    with https_client(server) as client:
        for method, path in [
            ("GET", "/auth/app-passwords"),
            ("POST", "/auth/app-passwords"),
            ("DELETE", "/auth/app-passwords/p123"),
            ("GET", "/auth/totp/status"),
            ("POST", "/auth/totp/enroll"),
            ("POST", "/auth/totp/confirm"),
            ("POST", "/auth/totp/disable"),
        ]:
            body = {"name": "x"} if path.endswith("passwords") else {"code": "123456"}
            body = body if method == "POST" else None
            _error(client.request(method, path, json=body), 401, "unauthorized")
        auth = httpx.BasicAuth(account.address, account.password)
        _error(client.get("/auth/app-passwords", auth=auth), 401, "unauthorized")


def test_totp_enrolment_turns_on_only_after_a_right_code(server: RunningServer) -> None:
    account = _account(server)
    with _signed_in(server, account) as client:
        assert client.get("/auth/totp/status").json() == {"enabled": False, "pending": False}
        _error(client.post("/auth/totp/confirm", json={"code": "123456"}), 409, "totpState")
        first = client.post("/auth/totp/enroll").json()
        assert set(first) == {"otpauthUri", "secret"}
        assert first["otpauthUri"].startswith("otpauth://totp/")
        assert totp_from_uri(first["otpauthUri"]).secret == first["secret"]
        # Enrolling again replaces the pending secret: the first one's codes stop working.
        second = client.post("/auth/totp/enroll").json()
        assert client.get("/auth/totp/status").json() == {"enabled": False, "pending": True}
        stale = pyotp.TOTP(first["secret"]).now()
        _error(client.post("/auth/totp/confirm", json={"code": stale}), 401, "invalidTotp")
        # Still pending, so password sign-in alone still works.
        with _signed_in(server, account):
            pass
        totp = pyotp.TOTP(second["secret"])
        confirmed = client.post("/auth/totp/confirm", json={"code": totp.now()})
        assert confirmed.status_code == 204, confirmed.text
        assert client.get("/auth/totp/status").json() == {"enabled": True, "pending": False}
        _error(client.post("/auth/totp/enroll"), 409, "totpState")

    with https_client(server) as client:
        login = {"username": account.address, "password": account.password}
        challenge = client.post("/auth/login", json=login).json()
        assert challenge["totpRequired"] is True
        done = client.post(
            "/auth/totp", json={"challenge": challenge["challenge"], "code": _next_code(totp)}
        )
        assert done.status_code == 200, done.text


def test_totp_disable_needs_a_current_code(server: RunningServer) -> None:
    account = _account(server)
    with _signed_in(server, account) as client:
        _error(client.post("/auth/totp/disable", json={"code": "123456"}), 409, "totpState")
        totp = pyotp.TOTP(client.post("/auth/totp/enroll").json()["secret"])
        assert client.post("/auth/totp/confirm", json={"code": totp.now()}).status_code == 204
        # The confirming code's step counts as used: it cannot also turn TOTP off.
        _error(client.post("/auth/totp/disable", json={"code": totp.now()}), 401, "invalidTotp")
        done = client.post("/auth/totp/disable", json={"code": _next_code(totp)})
        assert done.status_code == 204, done.text
        assert client.get("/auth/totp/status").json() == {"enabled": False, "pending": False}
    with _signed_in(server, account):
        pass  # password alone signs in again


def test_wrong_codes_are_throttled_like_sign_in(server: RunningServer) -> None:
    account = _account(server)
    with _signed_in(server, account) as client:
        client.post("/auth/totp/enroll")
        for _ in range(3):
            _error(client.post("/auth/totp/confirm", json={"code": "000000"}), 401, "invalidTotp")
        blocked = _error(
            client.post("/auth/totp/confirm", json={"code": "000000"}), 429, "tooManyAttempts"
        )
        assert blocked["retryAfter"] >= 1
        _error(client.post("/auth/totp/confirm", json={"code": "x" * 21}), 400, "invalidRequest")
