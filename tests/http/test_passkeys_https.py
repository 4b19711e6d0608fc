"""Passkeys over real HTTPS against `sealbox serve`, driven by a software authenticator:
registration (with and without PRF), the second factor after the password, passwordless
sign-in that unwraps MK with the PRF output, clone detection, single-use challenges,
throttling, rename and removal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from support.cli_accounts import CliAccount, add_account, add_app_password, checked_cli
from support.environment import free_port, sealbox_environment
from support.server import RunningServer, https_client, start_server
from support.soft_authenticator import SoftAuthenticator, b64url

pytestmark = pytest.mark.slow

DOMAIN = "passkeys.example"
USING = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("passkeys") / "data"
    port = free_port()
    env = sealbox_environment(
        data_dir,
        SEALBOX_HTTP_PORT=str(port),
        SEALBOX_HOSTNAME="127.0.0.1",
        SEALBOX_PASSKEY_RP_ID="localhost",
        SEALBOX_LOGIN_MAX_FAILURES_PER_ACCOUNT="4",
    )
    running = start_server(data_dir, env, port)
    try:
        checked_cli(env, "domain", "add", DOMAIN)
        yield running
    finally:
        assert running.stop() == 0, "\n".join(running.output)


def _origin(server: RunningServer) -> str:
    return f"https://localhost:{server.http_port}"


@contextmanager
def _signed_in(server: RunningServer, account: CliAccount) -> Iterator[httpx.Client]:
    with https_client(server) as client:
        login = client.post(
            "/auth/login", json={"username": account.address, "password": account.password}
        )
        assert login.status_code == 200, login.text
        assert "token" in login.json(), login.json()
        yield client


def _register(
    client: httpx.Client, authenticator: SoftAuthenticator, *, prf: bool = True, name: str = "Key"
) -> dict[str, Any]:
    options = client.post("/auth/passkeys/register/options")
    assert options.status_code == 200, options.text
    body = options.json()
    assert body["authenticatorSelection"]["residentKey"] == "required"
    assert body["authenticatorSelection"]["userVerification"] == "preferred"
    assert body["extensions"]["prf"]["eval"]["first"]
    credential, prf_output = authenticator.create(body, prf=prf)
    done = client.post(
        "/auth/passkeys/register",
        json={"credential": credential, "name": name, "prfOutput": prf_output},
    )
    assert done.status_code == 200, done.text
    return dict(done.json())


def _passwordless(
    server: RunningServer, authenticator: SoftAuthenticator, *, prf: bool = True
) -> httpx.Response:
    with https_client(server) as client:
        options = client.post("/auth/passkeys/login/options").json()
        assert "allowCredentials" not in options or not options["allowCredentials"]
        credential, prf_output = authenticator.get(options, prf=prf)
        return client.post(
            "/auth/passkeys/login", json={"credential": credential, "prfOutput": prf_output}
        )


def _read_mailboxes(server: RunningServer, token: str) -> list[str]:
    headers = {"authorization": f"Bearer {token}"}
    with https_client(server, headers=headers) as client:
        session = client.get("/.well-known/jmap").json()
        account_id = session["primaryAccounts"]["urn:ietf:params:jmap:mail"]
        answer = client.post(
            session["apiUrl"],
            json={"using": USING, "methodCalls": [["Mailbox/get", {"accountId": account_id}, "0"]]},
        )
    assert answer.status_code == 200, answer.text
    return [m["name"] for m in answer.json()["methodResponses"][0][1]["list"]]


def test_passwordless_sign_in_unwraps_the_key_with_the_prf_output(server: RunningServer) -> None:
    account = add_account(server.env, DOMAIN)
    authenticator = SoftAuthenticator(_origin(server))
    with _signed_in(server, account) as client:
        info = _register(client, authenticator, name="  Laptop   key ")
        assert info["name"] == "Laptop key" and info["canUnlock"] is True
        listed = client.get("/auth/passkeys").json()
        assert [p["id"] for p in listed] == [info["id"]]

    signed_in = _passwordless(server, authenticator)
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["username"] == account.address
    assert "sealbox_session" in signed_in.cookies
    # Mailbox names are sealed under MK subkeys: reading them proves MK was unwrapped.
    assert "Inbox" in _read_mailboxes(server, signed_in.json()["token"])


def test_password_then_passkey_as_the_second_factor(server: RunningServer) -> None:
    account = add_account(server.env, DOMAIN)
    authenticator = SoftAuthenticator(_origin(server))
    with _signed_in(server, account) as client:
        _register(client, authenticator)
    with https_client(server) as client:
        login = client.post(
            "/auth/login", json={"username": account.address, "password": account.password}
        ).json()
        assert login["passkeyRequired"] is True and login["totpRequired"] is False
        options = login["passkeyOptions"]
        assert options["allowCredentials"][0]["id"] == b64url(
            authenticator.credentials[0].credential_id
        )
        credential, _ = authenticator.get(options)
        done = client.post(
            "/auth/passkeys/verify",
            json={"challenge": login["challenge"], "credential": credential},
        )
        assert done.status_code == 200, done.text
        # The WebAuthn challenge and the sign-in challenge are both spent.
        again = client.post(
            "/auth/passkeys/verify",
            json={"challenge": login["challenge"], "credential": credential},
        )
        assert again.status_code == 401
    # A password alone no longer opens the account over Basic auth either.
    with https_client(server, auth=(account.address, account.password)) as basic:
        assert basic.get("/.well-known/jmap").status_code == 401


def test_a_cloned_authenticator_is_refused(server: RunningServer) -> None:
    account = add_account(server.env, DOMAIN)
    authenticator = SoftAuthenticator(_origin(server))
    with _signed_in(server, account) as client:
        _register(client, authenticator)
    assert _passwordless(server, authenticator).status_code == 200
    authenticator.credentials[0].sign_count -= 1  # the clone is one use behind
    refused = _passwordless(server, authenticator)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalidPasskey"


def test_passwordless_needs_the_user_handle_of_the_credentials_account(
    server: RunningServer,
) -> None:
    """With no account named first, the assertion's user handle must name the account
    the credential belongs to: missing or another account's handle is refused."""
    account = add_account(server.env, DOMAIN)
    other = add_account(server.env, DOMAIN)
    authenticator = SoftAuthenticator(_origin(server), count_step=0)
    stranger = SoftAuthenticator(_origin(server))
    with _signed_in(server, account) as client:
        _register(client, authenticator)
    with _signed_in(server, other) as client:
        _register(client, stranger)
    handles = {
        "missing": None,
        "another account": b64url(stranger.credentials[0].user_handle),
    }
    with https_client(server) as client:
        for why, handle in handles.items():
            options = client.post("/auth/passkeys/login/options").json()
            credential, prf_output = authenticator.get(options)
            if handle is None:
                del credential["response"]["userHandle"]
            else:
                credential["response"]["userHandle"] = handle
            refused = client.post(
                "/auth/passkeys/login", json={"credential": credential, "prfOutput": prf_output}
            )
            assert refused.status_code == 401, (why, refused.text)
            assert refused.json()["error"] == "invalidPasskey", why
    assert _passwordless(server, authenticator).status_code == 200


def test_counters_that_stay_zero_keep_working(server: RunningServer) -> None:
    account = add_account(server.env, DOMAIN)
    authenticator = SoftAuthenticator(_origin(server), count_step=0)
    with _signed_in(server, account) as client:
        _register(client, authenticator)
    for _ in range(2):
        assert _passwordless(server, authenticator).status_code == 200


def test_without_prf_a_passkey_cannot_unlock_until_a_second_factor_sign_in_gives_it(
    server: RunningServer,
) -> None:
    account = add_account(server.env, DOMAIN)
    authenticator = SoftAuthenticator(_origin(server))
    with _signed_in(server, account) as client:
        info = _register(client, authenticator, prf=False)
    assert info["canUnlock"] is False
    refused = _passwordless(server, authenticator)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "this passkey cannot unlock your mail; sign in with your password"
    )
    with https_client(server) as client:
        login = client.post(
            "/auth/login", json={"username": account.address, "password": account.password}
        ).json()
        credential, prf_output = authenticator.get(login["passkeyOptions"])
        done = client.post(
            "/auth/passkeys/verify",
            json={
                "challenge": login["challenge"],
                "credential": credential,
                "prfOutput": prf_output,
            },
        )
        assert done.status_code == 200, done.text
        assert client.get("/auth/passkeys").json()[0]["canUnlock"] is True
    assert _passwordless(server, authenticator).status_code == 200


def test_a_challenge_is_single_use_and_bound_to_its_ceremony(server: RunningServer) -> None:
    account = add_account(server.env, DOMAIN)
    authenticator = SoftAuthenticator(_origin(server))
    with _signed_in(server, account) as client:
        options = client.post("/auth/passkeys/register/options").json()
        credential, prf_output = authenticator.create(options)
        body = {"credential": credential, "prfOutput": prf_output}
        assert client.post("/auth/passkeys/register", json=body).status_code == 200
        assert client.post("/auth/passkeys/register", json=body).status_code == 401
    with https_client(server) as client:
        # Registration options cannot be answered with an assertion, nor the reverse.
        options = client.post("/auth/passkeys/login/options").json()
        credential, prf_output = authenticator.get(options)
        body = {"credential": credential, "prfOutput": prf_output}
        assert client.post("/auth/passkeys/login", json=body).status_code == 200
        assert client.post("/auth/passkeys/login", json=body).status_code == 401


def test_wrong_prf_outputs_are_throttled_like_passwords(server: RunningServer) -> None:
    account = add_account(server.env, DOMAIN)
    authenticator = SoftAuthenticator(_origin(server))
    with _signed_in(server, account) as client:
        _register(client, authenticator)
    statuses = []
    with https_client(server) as client:
        for _ in range(5):
            options = client.post("/auth/passkeys/login/options").json()
            credential, _ = authenticator.get(options)
            answer = client.post(
                "/auth/passkeys/login",
                json={"credential": credential, "prfOutput": b64url(bytes(32))},
            )
            statuses.append(answer.status_code)
    assert statuses == [401, 401, 401, 401, 429]


def _removal_proof(client: httpx.Client, authenticator: SoftAuthenticator) -> dict[str, Any]:
    options = client.post("/auth/passkeys/remove/options")
    assert options.status_code == 200, options.text
    credential, _ = authenticator.get(options.json(), prf=False)
    return credential


def test_rename_and_remove_take_the_key_slot_with_them(server: RunningServer) -> None:
    account = add_account(server.env, DOMAIN)
    authenticator = SoftAuthenticator(_origin(server))
    with _signed_in(server, account) as client:
        info = _register(client, authenticator)
        renamed = client.patch(f"/auth/passkeys/{info['id']}", json={"name": "Phone"})
        assert renamed.status_code == 204
        assert client.get("/auth/passkeys").json()[0]["name"] == "Phone"
        proof = {"credential": _removal_proof(client, authenticator)}
        removed = client.request("DELETE", f"/auth/passkeys/{info['id']}", json=proof)
        assert removed.status_code == 204, removed.text
        assert client.delete(f"/auth/passkeys/{info['id']}").status_code == 404
        assert client.get("/auth/passkeys").json() == []
    assert _passwordless(server, authenticator).status_code == 401
    with https_client(server) as client:
        login = client.post(
            "/auth/login", json={"username": account.address, "password": account.password}
        ).json()
        assert "token" in login


def test_removing_the_last_second_factor_needs_a_fresh_passkey_assertion(
    server: RunningServer,
) -> None:
    """Like turning TOTP off: an open session alone must not turn two-factor sign-in off."""
    account = add_account(server.env, DOMAIN)
    authenticator = SoftAuthenticator(_origin(server))
    other = SoftAuthenticator(_origin(server))
    with _signed_in(server, account) as client:
        first = _register(client, authenticator)
        second = _register(client, other)
        # Another passkey stays: still two-factor, so no proof is needed.
        assert client.delete(f"/auth/passkeys/{second['id']}").status_code == 204

        refused = client.delete(f"/auth/passkeys/{first['id']}")
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"] == "passkeyProofRequired"
        # An assertion from a passkey of another account is no proof either.
        stranger = add_account(server.env, DOMAIN)
        stranger_key = SoftAuthenticator(_origin(server))
        with _signed_in(server, stranger) as other_client:
            _register(other_client, stranger_key)
        forged = {"credential": _removal_proof(client, stranger_key)}
        wrong = client.request("DELETE", f"/auth/passkeys/{first['id']}", json=forged)
        assert wrong.status_code == 401 and wrong.json()["error"] == "invalidPasskey"
        assert [p["id"] for p in client.get("/auth/passkeys").json()] == [first["id"]]

    with https_client(server) as fresh:
        login = fresh.post(
            "/auth/login", json={"username": account.address, "password": account.password}
        ).json()
        assert login["passkeyRequired"] is True, login

    with _signed_in_with_passkey(server, account, authenticator) as client:
        proof = {"credential": _removal_proof(client, authenticator)}
        path = f"/auth/passkeys/{first['id']}"
        assert client.request("DELETE", path, json=proof).status_code == 204
        # The proof is single-use.
        assert client.request("DELETE", path, json=proof).status_code == 401


@contextmanager
def _signed_in_with_passkey(
    server: RunningServer, account: CliAccount, authenticator: SoftAuthenticator
) -> Iterator[httpx.Client]:
    with https_client(server) as client:
        login = client.post(
            "/auth/login", json={"username": account.address, "password": account.password}
        ).json()
        credential, _ = authenticator.get(login["passkeyOptions"])
        body = {"challenge": login["challenge"], "credential": credential}
        done = client.post("/auth/passkeys/verify", json=body)
        assert done.status_code == 200, done.text
        yield client


def test_registration_needs_a_session(server: RunningServer) -> None:
    with https_client(server) as client:
        assert client.post("/auth/passkeys/register/options").status_code == 401
        assert client.get("/auth/passkeys").status_code == 401


def test_an_app_password_cannot_manage_passkeys(server: RunningServer) -> None:
    """Basic auth (an app password) must not register a passkey: with a PRF slot it would
    become a passwordless way in that skips the password and the second factor."""
    account = add_account(server.env, DOMAIN)
    secret = add_app_password(server.env, account, "imap")
    with https_client(server, auth=(account.address, secret)) as basic:
        assert basic.get("/.well-known/jmap").status_code == 200  # the app password works
        assert basic.post("/auth/passkeys/register/options").status_code == 401
        assert basic.get("/auth/passkeys").status_code == 401
        assert basic.delete("/auth/passkeys/pnope").status_code == 401
