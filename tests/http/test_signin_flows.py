"""Sign-in over real HTTPS against `sealbox serve`: passwords, TOTP, app passwords,
throttling, sessions, password change and recovery, bad input and what the server logs.

Accounts are made with the real CLI on the server's own data directory; each test uses
fresh accounts, so tests sharing a server do not see each other's state.
"""

from __future__ import annotations

import json
import re
import ssl
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pyotp
import pytest
from support.cli import CliResult
from support.cli_accounts import (
    CliAccount,
    add_account,
    add_app_password,
    checked_cli,
    enable_totp,
    strong_password,
    unique_local_part,
    wrong_totp_code,
)
from support.environment import free_port, sealbox_environment
from support.server import RunningServer, https_client, start_server

pytestmark = pytest.mark.slow

DOMAIN = "signin.example"
COOKIE = "sealbox_session"
TRACEBACK_MARKERS = ("Traceback", 'File "', "Exception", "litestar.", "sqlalchemy")


@dataclass
class Node:
    """A running server plus every secret the tests sent to or got from it."""

    server: RunningServer
    secrets: set[str] = field(default_factory=set)

    @property
    def cli_env(self) -> dict[str, str]:
        # The server logs at debug level; CLI runs need not.
        return {**self.server.env, "SEALBOX_LOG_LEVEL": "warning"}

    def cli(self, *args: str, stdin: str = "") -> CliResult:
        return checked_cli(self.cli_env, *args, stdin=stdin)

    def account(self, *, recovery: str = "none") -> CliAccount:
        created = add_account(self.cli_env, DOMAIN, recovery=recovery)
        self.remember(created.password, created.recovery_code)
        return created

    def app_password(self, account: CliAccount, name: str = "test client") -> str:
        secret = add_app_password(self.cli_env, account, name)
        self.remember(secret)
        return secret

    def totp(self, account: CliAccount) -> pyotp.TOTP:
        totp = enable_totp(self.cli_env, account.address)
        self.remember(totp.secret)
        return totp

    def remember(self, *values: str | None) -> None:
        self.secrets.update(v for v in values if v)

    def client(self, source_address: str | None = None) -> httpx.Client:
        """A client that trusts this server's certificate, optionally from another 127/8 IP."""
        if source_address is None:
            return https_client(self.server)
        context = ssl.create_default_context(cafile=str(self.server.cert_path))
        transport = httpx.HTTPTransport(verify=context, local_address=source_address)
        return httpx.Client(base_url=self.server.base_url, transport=transport, timeout=30)

    def login(self, client: httpx.Client, username: str, password: str) -> httpx.Response:
        """POST /auth/login without keeping the cookie, so each call states its credentials."""
        self.remember(password)
        response = client.post("/auth/login", json={"username": username, "password": password})
        client.cookies.clear()
        body = _json(response)
        self.remember(body.get("token"), body.get("challenge"))
        return response

    def session(self, client: httpx.Client, account: CliAccount) -> str:
        return str(self.signed_in(client, account)["token"])

    def signed_in(self, client: httpx.Client, account: CliAccount) -> dict[str, Any]:
        response = self.login(client, account.address, account.password)
        assert response.status_code == 200, response.text
        return _json(response)

    def totp_step(self, client: httpx.Client, challenge: str, code: str) -> httpx.Response:
        response = client.post("/auth/totp", json={"challenge": challenge, "code": code})
        client.cookies.clear()
        self.remember(_json(response).get("token"))
        return response


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _start_node(tmp_path_factory: pytest.TempPathFactory, **extra: str) -> Iterator[Node]:
    data_dir = tmp_path_factory.mktemp("node") / "data"
    port = free_port()
    env = sealbox_environment(
        data_dir,
        SEALBOX_HTTP_PORT=str(port),
        # The most talkative level: whatever the server could log, the secrets check sees.
        SEALBOX_LOG_LEVEL="debug",
        **extra,
    )
    node = Node(start_server(data_dir, env, port))
    node.cli("domain", "add", DOMAIN)
    yield node
    code = node.server.stop()
    output = "\n".join(node.server.output)
    assert code == 0, output
    leaked = sorted(s for s in node.secrets if s in output)
    assert not leaked, f"{len(leaked)} secret(s) used in these tests appear in the server output"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """The shared server: Argon2 dear enough (~40 ms) that skipping it would show in timings,
    and a client limit no test here reaches (every request comes from 127.0.0.1)."""
    yield from _start_node(
        tmp_path_factory,
        SEALBOX_ARGON2_TIME_COST="2",
        SEALBOX_ARGON2_MEMORY_KIB="32768",
        SEALBOX_LOGIN_MAX_FAILURES_PER_CLIENT="100000",
    )


@pytest.fixture(scope="module")
def throttled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """A server with tiny failure limits; each test speaks from its own source address."""
    yield from _start_node(
        tmp_path_factory,
        SEALBOX_LOGIN_MAX_FAILURES_PER_ACCOUNT="3",
        SEALBOX_LOGIN_MAX_FAILURES_PER_CLIENT="5",
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={token}"}


def _basic(username: str, secret: str) -> httpx.BasicAuth:
    return httpx.BasicAuth(username, secret)


def _set_cookie(response: httpx.Response) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{COOKIE}=")]
    assert len(headers) == 1, response.headers
    return headers[0]


def _cookie_attributes(header: str) -> dict[str, str]:
    _, *attributes = (part.strip() for part in header.split(";"))
    pairs = (a.partition("=") for a in attributes)
    return {name.lower(): value for name, _, value in pairs}


def _assert_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error, body
    assert isinstance(body["detail"], str) and body["detail"], body
    return dict(body)


# --- password sign-in and sessions -------------------------------------------------------


def test_password_sign_in_returns_a_session_in_body_and_strict_cookie(node: Node) -> None:
    account = node.account()
    with node.client() as client:
        response = node.login(client, account.address.upper(), account.password)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token", "accountId", "username"}
    assert body["username"] == account.address
    assert body["token"] and body["accountId"]
    header = _set_cookie(response)
    assert header.startswith(f"{COOKIE}={body['token']};")
    attributes = _cookie_attributes(header)
    assert {"httponly", "secure"} <= set(attributes)
    assert attributes["samesite"].lower() == "strict"
    assert attributes["path"] == "/"


@pytest.mark.parametrize("carrier", [_cookie, _bearer], ids=["cookie", "bearer"])
def test_a_session_token_authenticates_as_cookie_or_bearer(node: Node, carrier: Any) -> None:
    account = node.account()
    with node.client() as client:
        signed_in = node.signed_in(client, account)
        token = signed_in["token"]
        me = client.get("/auth/me", headers=carrier(token))
        assert me.status_code == 200, me.text
        assert me.json() == {"accountId": signed_in["accountId"], "username": account.address}
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        _assert_error(client.get("/auth/me", headers=carrier(forged)), 401, "unauthorized")
    with node.client() as client:
        _assert_error(client.get("/auth/me"), 401, "unauthorized")


def test_wrong_password_and_unknown_address_get_the_same_answer(node: Node) -> None:
    account = node.account()
    with node.client() as client:
        wrong = node.login(client, account.address, strong_password())
        unknown = node.login(client, f"{unique_local_part()}@{DOMAIN}", account.password)
        foreign = node.login(client, "nobody@not-hosted.example", account.password)
        malformed = node.login(client, "not an address", account.password)
    answers = [wrong, unknown, foreign, malformed]
    for response in answers:
        _assert_error(response, 401, "invalidCredentials")
        assert "set-cookie" not in response.headers
    assert len({r.text for r in answers}) == 1


def test_unknown_address_pays_the_same_argon2_cost_as_a_wrong_password(node: Node) -> None:
    account = node.account()
    unknown = f"{unique_local_part()}@{DOMAIN}"
    known_times: list[float] = []
    unknown_times: list[float] = []
    with node.client() as client:
        node.login(client, unknown, "warm-up-connection")  # TLS handshake outside the timing
        for _ in range(5):
            for username, times in ((account.address, known_times), (unknown, unknown_times)):
                started = time.perf_counter()
                response = node.login(client, username, "Wrong-Password-For-Timing")
                times.append(time.perf_counter() - started)
                assert response.status_code == 401
    known, unknown_median = statistics.median(known_times), statistics.median(unknown_times)
    assert unknown_median >= 0.5 * known, (known_times, unknown_times)


# --- TOTP ----------------------------------------------------------------------------------


def _challenge(node: Node, client: httpx.Client, account: CliAccount) -> str:
    response = node.login(client, account.address, account.password)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totpRequired"] is True, body
    assert "token" not in body and "set-cookie" not in response.headers
    assert isinstance(body["challenge"], str)
    return body["challenge"]


def test_totp_sign_in_needs_the_right_code_and_refuses_a_replay(node: Node) -> None:
    account = node.account()
    totp = node.totp(account)
    with node.client() as client:
        challenge = _challenge(node, client, account)
        wrong = node.totp_step(client, challenge, wrong_totp_code(totp))
        _assert_error(wrong, 401, "invalidTotp")
        code = totp.now()
        signed_in = node.totp_step(client, challenge, code)
        assert signed_in.status_code == 200, signed_in.text
        token = signed_in.json()["token"]
        assert signed_in.json()["username"] == account.address
        assert _set_cookie(signed_in).startswith(f"{COOKIE}={token};")
        assert client.get("/auth/me", headers=_bearer(token)).status_code == 200

        # A finished challenge cannot mint a second session.
        _assert_error(node.totp_step(client, challenge, code), 401, "invalidTotp")
        # Nor can the same code open a new sign-in (a code seen over a shoulder).
        replay = node.totp_step(client, _challenge(node, client, account), code)
        _assert_error(replay, 401, "invalidTotp")


def test_a_totp_challenge_dies_after_five_wrong_codes(node: Node) -> None:
    account = node.account()
    totp = node.totp(account)
    with node.client() as client:
        challenge = _challenge(node, client, account)
        for _ in range(5):
            _assert_error(
                node.totp_step(client, challenge, wrong_totp_code(totp)), 401, "invalidTotp"
            )
        code = totp.now()
        _assert_error(node.totp_step(client, challenge, code), 401, "invalidTotp")
        # The code itself was good and unspent: a new challenge accepts it.
        fresh = node.totp_step(client, _challenge(node, client, account), code)
        assert fresh.status_code == 200, fresh.text


@pytest.mark.parametrize(
    ("challenge", "status", "error"),
    [
        ("", 400, "invalidRequest"),
        ("x" * 201, 400, "invalidRequest"),
        ("sbc1_not-a-real-challenge", 401, "invalidTotp"),
        ("sbc1_" + "A" * 64, 401, "invalidTotp"),
        ("sbs1_" + "A" * 64, 401, "invalidTotp"),
    ],
    ids=["empty", "oversize", "malformed", "well-formed-unknown", "session-token"],
)
def test_a_made_up_challenge_is_refused(
    node: Node, challenge: str, status: int, error: str
) -> None:
    with node.client() as client:
        response = node.totp_step(client, challenge, "123456")
    _assert_error(response, status, error)


def test_disabling_totp_restores_plain_password_sign_in(node: Node) -> None:
    account = node.account()
    node.totp(account)
    with node.client() as client:
        _challenge(node, client, account)
        node.cli("user", "totp", account.address, "disable")
        response = node.login(client, account.address, account.password)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"token", "accountId", "username"}


# --- HTTP Basic: app passwords and the account password ------------------------------------


def test_basic_auth_with_app_password_and_account_password(node: Node) -> None:
    account = node.account()
    app_password = node.app_password(account)
    with node.client() as client:
        for secret in (app_password, app_password.upper().replace("-", " "), account.password):
            me = client.get("/auth/me", auth=_basic(account.address, secret))
            assert me.status_code == 200, me.text
            assert me.json()["username"] == account.address

        node.totp(account)
        me = client.get("/auth/me", auth=_basic(account.address, app_password))
        assert me.status_code == 200, me.text
        # The account password was just cached for Basic; TOTP must still win over the cache.
        refused = client.get("/auth/me", auth=_basic(account.address, account.password))
        _assert_error(refused, 401, "secondFactorRequired")
        wrong = client.get("/auth/me", auth=_basic(account.address, strong_password()))
        _assert_error(wrong, 401, "invalidCredentials")


def test_a_revoked_app_password_stops_working_at_once(node: Node) -> None:
    account = node.account()
    kept, revoked = node.app_password(account, "kept"), node.app_password(account, "revoked")
    listing = node.cli("user", "app-password", "list", account.address).stdout.splitlines()
    ids = {row[1]: row[0] for row in (line.split("\t") for line in listing)}
    revoked_id = ids["revoked"]
    with node.client() as client:
        for secret in (kept, revoked):
            assert client.get("/auth/me", auth=_basic(account.address, secret)).status_code == 200
        node.cli("user", "app-password", "revoke", account.address, revoked_id)
        gone = client.get("/auth/me", auth=_basic(account.address, revoked))
        _assert_error(gone, 401, "invalidCredentials")
        assert client.get("/auth/me", auth=_basic(account.address, kept)).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    ["Basic !!!not-base64!!!", "Basic " + "bm9jb2xvbg==", "Basic", "Digest abc"],
    ids=["not-base64", "no-colon", "empty", "other-scheme"],
)
def test_malformed_authorization_is_a_plain_401(node: Node, authorization: str) -> None:
    with node.client() as client:
        response = client.get("/auth/me", headers={"Authorization": authorization})
    _assert_error(response, 401, "unauthorized")


# --- throttling ----------------------------------------------------------------------------


def _assert_throttled(response: httpx.Response) -> None:
    body = _assert_error(response, 429, "tooManyAttempts")
    retry_after = int(response.headers["retry-after"])
    assert 0 < retry_after <= 900
    assert body["retryAfter"] == retry_after


@pytest.mark.parametrize(
    ("known", "source"), [(True, "127.0.0.2"), (False, "127.0.0.3")], ids=["known", "unknown"]
)
def test_repeated_failures_on_one_address_are_throttled_alike(
    throttled: Node, known: bool, source: str
) -> None:
    account = throttled.account() if known else None
    username = account.address if account else f"{unique_local_part()}@{DOMAIN}"
    with throttled.client(source) as client:
        answers = [throttled.login(client, username, strong_password()) for _ in range(4)]
        assert [r.status_code for r in answers] == [401, 401, 401, 429]
        _assert_throttled(answers[-1])
        if account:
            # Even the right password waits, from this client and from any other.
            _assert_throttled(throttled.login(client, username, account.password))
    if account:
        with throttled.client("127.0.0.4") as other:
            _assert_throttled(throttled.login(other, username, account.password))


def test_failures_from_one_client_are_throttled_across_addresses(throttled: Node) -> None:
    account = throttled.account()
    with throttled.client("127.0.0.5") as client:
        for _ in range(5):
            probe = throttled.login(client, f"{unique_local_part()}@{DOMAIN}", strong_password())
            assert probe.status_code == 401
        _assert_throttled(throttled.login(client, account.address, account.password))
    with throttled.client("127.0.0.6") as elsewhere:
        assert throttled.login(elsewhere, account.address, account.password).status_code == 200


def test_a_forwarded_for_header_does_not_reset_the_client_count(throttled: Node) -> None:
    # The server terminates TLS itself: no proxy in front of it can vouch for the header.
    account = throttled.account()
    with throttled.client("127.0.0.1") as client:
        for number in range(5):
            client.headers["X-Forwarded-For"] = f"198.51.100.{number + 1}"
            probe = throttled.login(client, f"{unique_local_part()}@{DOMAIN}", strong_password())
            assert probe.status_code == 401
        client.headers["X-Forwarded-For"] = "198.51.100.99"
        _assert_throttled(throttled.login(client, account.address, account.password))


def test_guessing_the_current_password_of_a_session_is_throttled(throttled: Node) -> None:
    account = throttled.account()
    with throttled.client("127.0.0.7") as client:
        token = throttled.session(client, account)
        answers = [
            _change(client, token, strong_password(), strong_password(), throttled)
            for _ in range(4)
        ]
        assert [r.status_code for r in answers] == [401, 401, 401, 429]
        _assert_throttled(answers[-1])
        # The right current password waits too, until the window passes.
        _assert_throttled(_change(client, token, account.password, strong_password(), throttled))


def test_guessing_recovery_codes_is_throttled(throttled: Node) -> None:
    account = throttled.account(recovery="code")
    assert account.recovery_code is not None
    wrong = "aaaa-bbbb-cccc-dddd-eeee-ffff-gggg-hhhh"
    with throttled.client("127.0.0.8") as client:
        answers = [
            _recover(client, throttled, account.address, wrong, strong_password()) for _ in range(4)
        ]
        assert [r.status_code for r in answers] == [401, 401, 401, 429]
        _assert_throttled(answers[-1])
        right = _recover(
            client, throttled, account.address, account.recovery_code, strong_password()
        )
        _assert_throttled(right)


# --- logout, password change, recovery -----------------------------------------------------


def test_logout_ends_the_session_and_clears_the_cookie(node: Node) -> None:
    account = node.account()
    with node.client() as client:
        token = node.session(client, account)
        other = node.session(client, account)
        response = client.post("/auth/logout", headers=_cookie(token))
        assert response.status_code == 204, response.text
        header = _set_cookie(response)
        assert header.split(";")[0] in (f"{COOKIE}=", f'{COOKIE}=""'), header
        assert _cookie_attributes(header)["max-age"] == "0", header
        _assert_error(client.get("/auth/me", headers=_bearer(token)), 401, "unauthorized")
        _assert_error(client.get("/auth/me", headers=_cookie(token)), 401, "unauthorized")
        # Only that session ended.
        assert client.get("/auth/me", headers=_bearer(other)).status_code == 200
        # Logging out twice, or with nothing, is harmless.
        assert client.post("/auth/logout", headers=_bearer(token)).status_code == 204
        assert client.post("/auth/logout").status_code == 204


def _change(client: httpx.Client, token: str, current: str, new: str, node: Node) -> httpx.Response:
    node.remember(current, new)
    payload = {"currentPassword": current, "newPassword": new}
    return client.post("/auth/password", json=payload, headers=_bearer(token))


def test_password_change_rewraps_and_signs_out_the_other_sessions(node: Node) -> None:
    account = node.account()
    new_password = strong_password()
    with node.client() as client:
        mine, theirs = node.session(client, account), node.session(client, account)
        basic_old = _basic(account.address, account.password)
        assert client.get("/auth/me", auth=basic_old).status_code == 200  # now cached

        wrong = _change(client, mine, strong_password(), new_password, node)
        _assert_error(wrong, 401, "invalidCredentials")
        weak = _assert_error(
            _change(client, mine, account.password, "password1234", node), 400, "weakPassword"
        )
        assert re.search(r"[a-z]{3,} [a-z]{3,}", weak["detail"]), weak
        assert "password1234" not in weak["detail"]
        unsigned = client.post(
            "/auth/password",
            json={"currentPassword": account.password, "newPassword": new_password},
        )
        _assert_error(unsigned, 401, "unauthorized")

        changed = _change(client, mine, account.password, new_password, node)
        assert changed.status_code == 204, changed.text

        assert client.get("/auth/me", headers=_bearer(mine)).status_code == 200
        _assert_error(client.get("/auth/me", headers=_bearer(theirs)), 401, "unauthorized")
        _assert_error(client.get("/auth/me", auth=basic_old), 401, "invalidCredentials")
        old = node.login(client, account.address, account.password)
        _assert_error(old, 401, "invalidCredentials")
        assert node.login(client, account.address, new_password).status_code == 200
        basic_new = client.get("/auth/me", auth=_basic(account.address, new_password))
        assert basic_new.status_code == 200


def _recover(
    client: httpx.Client, node: Node, username: str, code: str, new: str
) -> httpx.Response:
    node.remember(code, new)
    payload = {"username": username, "recoveryCode": code, "newPassword": new}
    response = client.post("/auth/recover", json=payload)
    node.remember(_json(response).get("recoveryCode"))
    return response


def test_recovery_code_resets_the_password_and_is_replaced(node: Node) -> None:
    account = node.account(recovery="code")
    assert account.recovery_code is not None
    new_password = strong_password()
    with node.client() as client:
        before = node.session(client, account)
        recovered = _recover(client, node, account.address, account.recovery_code, new_password)
        assert recovered.status_code == 200, recovered.text
        fresh_code = recovered.json()["recoveryCode"]
        assert set(recovered.json()) == {"recoveryCode"}
        assert fresh_code != account.recovery_code

        _assert_error(client.get("/auth/me", headers=_bearer(before)), 401, "unauthorized")
        old_code = _recover(client, node, account.address, account.recovery_code, strong_password())
        _assert_error(old_code, 401, "invalidRecoveryCode")
        _assert_error(
            node.login(client, account.address, account.password), 401, "invalidCredentials"
        )
        assert node.login(client, account.address, new_password).status_code == 200
        again = _recover(client, node, account.address, fresh_code, strong_password())
        assert again.status_code == 200, again.text


def test_recovery_refusals(node: Node) -> None:
    without = node.account(recovery="none")
    with_code = node.account(recovery="code")
    assert with_code.recovery_code is not None
    wrong_code = "aaaa-bbbb-cccc-dddd-eeee-ffff-gggg-hhhh"
    unknown = f"{unique_local_part()}@{DOMAIN}"
    cases: list[tuple[str, str, str, int, str]] = [
        (without.address, wrong_code, strong_password(), 409, "recoveryUnavailable"),
        (with_code.address, wrong_code, strong_password(), 401, "invalidRecoveryCode"),
        (with_code.address, "not a code!", strong_password(), 401, "invalidRecoveryCode"),
        (unknown, wrong_code, strong_password(), 401, "invalidRecoveryCode"),
        (with_code.address, with_code.recovery_code, "password1234", 400, "weakPassword"),
    ]
    with node.client() as client:
        for username, code, new, status, error in cases:
            _assert_error(_recover(client, node, username, code, new), status, error)
        # None of the refusals spent the real code.
        still = _recover(
            client, node, with_code.address, with_code.recovery_code, strong_password()
        )
        assert still.status_code == 200, still.text


# --- bad input, headers ---------------------------------------------------------------------

OVERSIZE = "Oversize-" + "p" * 1016  # 1025 characters


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/auth/login", b'{"username": "a@signin.example", "password": '),
        ("/auth/login", b""),
        ("/auth/login", b"[1, 2]"),
        ("/auth/login", b'"a string"'),
        ("/auth/login", json.dumps({"username": "a@signin.example"}).encode()),
        ("/auth/login", json.dumps({"password": "x" * 20}).encode()),
        ("/auth/login", json.dumps({"username": "a@x.example", "password": "p", "x": 1}).encode()),
        ("/auth/login", json.dumps({"username": 5, "password": "x" * 20}).encode()),
        ("/auth/login", json.dumps({"username": "a@x.example", "password": ""}).encode()),
        ("/auth/login", json.dumps({"username": "a@x.example", "password": OVERSIZE}).encode()),
        ("/auth/totp", json.dumps({"challenge": "sbc1_x"}).encode()),
        ("/auth/totp", json.dumps({"challenge": "sbc1_x", "code": "1" * 21}).encode()),
        (
            "/auth/recover",
            json.dumps(
                {"username": "a@x.example", "recoveryCode": "abcd", "newPassword": OVERSIZE}
            ).encode(),
        ),
        ("/auth/recover", json.dumps({"username": "a@x.example", "recoveryCode": "x"}).encode()),
        ("/auth/password", json.dumps({"currentPassword": OVERSIZE, "newPassword": "x"}).encode()),
        ("/auth/password", json.dumps({"newPassword": "x" * 20}).encode()),
    ],
    ids=[
        "truncated-json",
        "empty-body",
        "array",
        "string",
        "no-password",
        "no-username",
        "unknown-field",
        "username-not-string",
        "empty-password",
        "oversize-password",
        "no-code",
        "oversize-code",
        "oversize-new-password",
        "no-new-password",
        "oversize-current-password",
        "no-current-password",
    ],
)
def test_malformed_requests_are_400_invalid_request(node: Node, path: str, body: bytes) -> None:
    node.remember(OVERSIZE)
    with node.client() as client:
        response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    _assert_error(response, 400, "invalidRequest")
    assert OVERSIZE not in response.text
    assert not any(marker in response.text for marker in TRACEBACK_MARKERS), response.text


def test_a_password_of_exactly_the_limit_is_checked_not_refused(node: Node) -> None:
    account = node.account()
    with node.client() as client:
        response = node.login(client, account.address, "L" * 1024)
    _assert_error(response, 401, "invalidCredentials")


def _login_refused(node: Node, client: httpx.Client) -> httpx.Response:
    return node.login(client, f"{unique_local_part()}@{DOMAIN}", "Wrong-But-Well-Formed")


def _login_accepted(node: Node, client: httpx.Client) -> httpx.Response:
    account = node.account()
    return node.login(client, account.address, account.password)


def _malformed_login(_: Node, client: httpx.Client) -> httpx.Response:
    return client.post("/auth/login", content=b"{", headers={"Content-Type": "application/json"})


@pytest.mark.parametrize(
    ("request_", "no_store"),
    [
        (lambda n, c: c.get("/"), False),
        (lambda n, c: c.get("/auth/me"), True),
        (_login_refused, True),
        (_malformed_login, True),
        (lambda n, c: c.post("/auth/logout"), True),
        (_login_accepted, True),
        pytest.param(lambda n, c: c.get("/no-such-page"), False),
    ],
    ids=["status-page", "auth-401", "login-401", "login-400", "logout-204", "login-200", "404"],
)
def test_security_headers_on_every_response(node: Node, request_: Any, no_store: bool) -> None:
    with node.client() as client:
        response = request_(node, client)
    assert response.headers.get("strict-transport-security", "").startswith("max-age=")
    assert int(response.headers["strict-transport-security"].split("=")[1].split(";")[0]) > 0
    assert response.headers.get("x-content-type-options") == "nosniff"
    if no_store:
        assert response.headers.get("cache-control") == "no-store"


def test_the_webmail_gets_a_content_security_policy(node: Node) -> None:
    with node.client() as client:
        webmail = client.get("/webmail/")
        status = client.get("/")
    policy = webmail.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "object-src 'none'" in policy, policy
    assert "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
    assert "content-security-policy" not in status.headers
