"""The canary test (DESIGN.md, Keys): put unique canary strings through everything this
stage stores, then read every file under the data directory and find none of them.

Display names, passwords (old, changed, reset), recovery codes, app passwords, TOTP
secrets, session tokens, sign-in challenges, identity names and signatures and an
enabled vacation response (whose delivery copy is sealed too) are searched in plain text, UTF-16,
hex and base64 at every alignment. Addresses and app-password names are plaintext
metadata by design (api/store/models.py); finding them proves the scan reads the data.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.cli_accounts import (
    CliAccount,
    add_account,
    add_app_password,
    checked_cli,
    enable_totp,
    unique_local_part,
    write_escrow_keys,
    wrong_totp_code,
)
from support.environment import free_port, sealbox_environment
from support.server import RunningServer, https_client, start_server

pytestmark = pytest.mark.slow

DOMAIN = "canary.example"


def canary(kind: str) -> str:
    return f"CANARY-{kind}-{secrets.token_hex(8)}"


def canary_password(kind: str) -> str:
    # A canary that still passes the strength check.
    return f"{canary(kind)}-horse-staple"


# --- encodings ------------------------------------------------------------------------


def _base64_cores(raw: bytes) -> Iterator[bytes]:
    """Base64 of `raw` as it would appear inside any longer encoded value: for each of the
    three alignments, the characters that depend on `raw` alone."""
    for shift in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * shift + raw)
            start = 4 if shift else 0  # the first quantum mixes in the unknown prefix
            usable = (shift + len(raw)) // 3 * 4  # full quanta only; the rest mixes the suffix
            core = encoded[start:usable]
            if len(core) >= 12:
                yield core


def encodings(raw: bytes) -> Iterator[bytes]:
    yield raw
    yield raw.hex().encode()
    yield raw.hex().upper().encode()
    yield from _base64_cores(raw)


def text_forms(text: str) -> Iterator[bytes]:
    for variant in {text, text.lower(), text.upper()}:
        yield from encodings(variant.encode())
        yield variant.encode("utf-16-le")
        yield variant.encode("utf-16-be")


def code_forms(code: str) -> Iterator[bytes]:
    """An app password or recovery code as typed, compacted, and as the bytes it encodes."""
    compact = code.replace("-", "")
    yield from text_forms(code)
    yield from text_forms(compact)
    yield from encodings(base64.b32decode(compact.upper()))


def token_forms(token: str) -> Iterator[bytes]:
    yield from encodings(token.encode())
    raw = base64.urlsafe_b64decode(token.partition("_")[2] + "==")
    yield from encodings(raw[:16])  # the id (only its hash may be stored)
    yield from encodings(raw[16:])  # the session key


def totp_forms(secret: str) -> Iterator[bytes]:
    yield from text_forms(secret)
    yield from encodings(base64.b32decode(secret))


# --- the scan -------------------------------------------------------------------------


@dataclass
class Needles:
    """Everything that must not be on disk, by a name to report it under."""

    forms: dict[str, set[bytes]] = field(default_factory=dict)

    def add(self, name: str, forms: Iterable[bytes]) -> None:
        self.forms.setdefault(name, set()).update(forms)


def read_data_dir(data_dir: Path) -> dict[str, bytes]:
    files = {
        str(p.relative_to(data_dir)): p.read_bytes() for p in data_dir.rglob("*") if p.is_file()
    }
    assert "sealbox.db" in files, sorted(files)
    return files


def found(needles: Needles, files: dict[str, bytes]) -> list[str]:
    hits = []
    for path, content in files.items():
        haystacks = (content, path.encode())
        for name, forms in needles.forms.items():
            if any(form in hay for form in forms for hay in haystacks):
                hits.append(f"{name} in {path}")
    return hits


# --- the test -------------------------------------------------------------------------


@dataclass
class Canary:
    server: RunningServer
    escrow_private_key: Path
    needles: Needles = field(default_factory=Needles)
    # Plaintext by design: must be found, or the scan is not reading the database.
    expected: list[str] = field(default_factory=list)

    def secret(self, name: str, forms: Iterable[bytes]) -> None:
        self.needles.add(name, forms)

    def cli(self, *args: str, stdin: str = "") -> str:
        return checked_cli(self.server.env, *args, stdin=stdin).last_line


@pytest.fixture
def canary_node(tmp_path: Path) -> Iterator[Canary]:
    # The operator's offline key lives outside the data directory.
    private_path, public_path = write_escrow_keys(tmp_path / "escrow")
    data_dir = tmp_path / "data"
    port = free_port()
    env = sealbox_environment(
        data_dir, SEALBOX_HTTP_PORT=str(port), SEALBOX_ESCROW_PUBLIC_KEY=str(public_path)
    )
    server = start_server(data_dir, env, port)
    yield Canary(server, private_path)
    assert server.stop() == 0, "\n".join(server.output)


def _new_account(node: Canary, *, recovery: str) -> CliAccount:
    name = canary("display-name")
    node.secret("display name", text_forms(name))
    password = canary_password("password")
    node.secret("password", text_forms(password))
    account = add_account(
        node.server.env,
        DOMAIN,
        recovery=recovery,
        name=f"Ada {name} Lovelace",
        password=password,
    )
    node.expected.append(account.address)
    if account.recovery_code:
        node.secret("recovery code", code_forms(account.recovery_code))
    return account


def _signed_in(node: Canary, response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    key = "challenge" if body.get("totpRequired") else "token"
    node.secret(f"sign-in {key}", token_forms(body[key]))
    return str(body[key])


def _create_mailboxes(node: Canary, client: httpx.Client, bearer: dict[str, str]) -> None:
    """Mailbox names are sealed under the account's key (JMAP Mailbox/set)."""
    names = [canary("mailbox"), canary("child-mailbox")]
    for name in names:
        node.secret("mailbox name", text_forms(name))
    session = client.get("/.well-known/jmap", headers=bearer).json()
    account_id = session["primaryAccounts"]["urn:ietf:params:jmap:mail"]
    create = {
        "parent": {"name": names[0]},
        "child": {"name": names[1], "parentId": "#parent"},
    }
    body = {
        "using": ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
        "methodCalls": [["Mailbox/set", {"accountId": account_id, "create": create}, "0"]],
    }
    response = client.post("/jmap/api/", json=body, headers=bearer)
    assert response.status_code == 200, response.text
    [[name, result, _]] = response.json()["methodResponses"]
    assert name == "Mailbox/set" and set(result["created"]) == {"parent", "child"}, result


def _jmap(client: httpx.Client, bearer: dict[str, str], name: str, args: dict[str, Any]) -> Any:
    session = client.get("/.well-known/jmap", headers=bearer).json()
    account_id = session["primaryAccounts"]["urn:ietf:params:jmap:submission"]
    body = {
        "using": [
            "urn:ietf:params:jmap:core",
            "urn:ietf:params:jmap:mail",
            "urn:ietf:params:jmap:submission",
            "urn:ietf:params:jmap:vacationresponse",
        ],
        "methodCalls": [[name, {"accountId": account_id, **args}, "0"]],
    }
    response = client.post("/jmap/api/", json=body, headers=bearer)
    assert response.status_code == 200, response.text
    [[answered, result, _]] = response.json()["methodResponses"]
    assert answered == name, result
    return result


def _set_identities_and_vacation(
    node: Canary, client: httpx.Client, bearer: dict[str, str]
) -> None:
    """Identity details are sealed under the account's key; an enabled vacation text
    is also kept under an installation key for delivery (sealed, not zero-access)."""
    name, text, html = canary("identity-name"), canary("signature"), canary("html-signature")
    for kind, value in (("identity name", name), ("signature", text), ("signature", html)):
        node.secret(kind, text_forms(value))
    [default] = _jmap(client, bearer, "Identity/get", {})["list"]
    patch = {"name": name, "textSignature": text, "htmlSignature": html}
    assert _jmap(client, bearer, "Identity/set", {"update": {default["id"]: patch}})["updated"]
    texts = {"subject": canary("vacation-subject"), "textBody": canary("vacation-text")}
    texts["htmlBody"] = canary("vacation-html")
    for value in texts.values():
        node.secret("vacation text", text_forms(value))
    update = {"singleton": {"isEnabled": True, **texts}}
    assert _jmap(client, bearer, "VacationResponse/set", {"update": update})["updated"]


def _upload_blob(node: Canary, client: httpx.Client, bearer: dict[str, str]) -> None:
    """Uploaded blobs are STREAM ciphertext under a data key sealed to the account."""
    content = canary("blob")
    node.secret("blob content", text_forms(content))
    body = (content + "\n").encode() * 20_000  # several chunks of the stream
    session = client.get("/.well-known/jmap", headers=bearer).json()
    account_id = session["primaryAccounts"]["urn:ietf:params:jmap:core"]
    upload = client.post(f"/jmap/upload/{account_id}/", content=body, headers=bearer)
    assert upload.status_code == 201, upload.text
    blob_id = upload.json()["blobId"]
    download = client.get(f"/jmap/download/{account_id}/{blob_id}/x.txt", headers=bearer)
    assert download.content == body


def _import_email(node: Canary, client: httpx.Client, bearer: dict[str, str]) -> None:
    """A message's octets, header summary and thread keys are all sealed (Email/import)."""
    parts = {
        kind: canary(kind)
        for kind in ("subject", "sender-name", "body", "attachment", "message-id", "reference")
    }
    correspondent = f"{canary('correspondent').lower()}@elsewhere.example"
    for kind, value in parts.items():
        node.secret(f"email {kind}", text_forms(value))
    node.secret("correspondent address", text_forms(correspondent))
    raw = (
        f"From: {parts['sender-name']} <{correspondent}>\r\nTo: someone@{DOMAIN}\r\n"
        f"Subject: {parts['subject']}\r\nMessage-ID: <{parts['message-id']}@x>\r\n"
        f"References: <{parts['reference']}@x>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        f"--b\r\nContent-Type: text/plain\r\n\r\n{parts['body']}\r\n"
        f'--b\r\nContent-Type: text/plain; name="{parts["attachment"]}.txt"\r\n\r\nx\r\n--b--\r\n'
    ).encode()
    session = client.get("/.well-known/jmap", headers=bearer).json()
    account_id = session["primaryAccounts"]["urn:ietf:params:jmap:mail"]
    upload = client.post(f"/jmap/upload/{account_id}/", content=raw, headers=bearer)
    assert upload.status_code == 201, upload.text

    def call(name: str, arguments: dict[str, Any]) -> Any:
        return _jmap(client, bearer, name, arguments)

    inbox = call("Mailbox/query", {"filter": {"role": "inbox"}})["ids"][0]
    email = {"blobId": upload.json()["blobId"], "mailboxIds": {inbox: True}}
    created = call("Email/import", {"emails": {"m": email}})["created"]
    email_id = created["m"]["id"]
    got = call("Email/get", {"ids": [email_id], "properties": ["subject"]})
    assert got["list"] == [{"id": email_id, "subject": parts["subject"]}], got


def _send_remote(node: Canary, client: httpx.Client, bearer: dict[str, str]) -> None:
    """Sent mail: the draft is sealed like any email, the submission's envelope under the
    account's key, and the queued copy for a remote recipient under the queue key."""
    recipient = f"{canary('remote-recipient').lower()}@far.example"
    subject, body = canary("sent-subject"), canary("sent-body")
    node.secret("remote recipient", text_forms(recipient))
    node.secret("sent subject", text_forms(subject))
    node.secret("sent body", text_forms(body))
    me = client.get("/auth/me", headers=bearer).json()["username"]
    drafts = _jmap(client, bearer, "Mailbox/query", {"filter": {"role": "drafts"}})["ids"][0]
    draft = {
        "mailboxIds": {drafts: True},
        "from": [{"email": me}],
        "to": [{"email": recipient}],
        "subject": subject,
        "textBody": [{"partId": "1", "type": "text/plain"}],
        "bodyValues": {"1": {"value": body}},
    }
    created = _jmap(client, bearer, "Email/set", {"create": {"d": draft}})["created"]["d"]
    [identity] = _jmap(client, bearer, "Identity/get", {})["list"]
    sent = _jmap(
        client,
        bearer,
        "EmailSubmission/set",
        {"create": {"s": {"emailId": created["id"], "identityId": identity["id"]}}},
    )
    status = sent["created"]["s"]["deliveryStatus"][recipient]
    assert status["delivered"] == "queued", sent


def _exercise(node: Canary) -> None:
    """Every path of this stage that stores something about a secret."""
    node.cli("domain", "add", DOMAIN)
    alice = _new_account(node, recovery="code")
    bob = _new_account(node, recovery="escrow")
    carol = _new_account(node, recovery="none")
    assert alice.recovery_code is not None

    app_name = f"mail app {secrets.token_hex(4)}"
    node.expected.append(app_name)
    app_password = add_app_password(node.server.env, alice, name=app_name)
    node.secret("app password", code_forms(app_password))
    totp = enable_totp(node.server.env, bob.address)
    node.secret("TOTP secret", totp_forms(totp.secret))

    with https_client(node.server) as client:

        def login(account: CliAccount, password: str) -> httpx.Response:
            response = client.post(
                "/auth/login", json={"username": account.address, "password": password}
            )
            client.cookies.clear()
            return response

        token = _signed_in(node, login(alice, alice.password))
        bearer = {"Authorization": f"Bearer {token}"}
        _create_mailboxes(node, client, bearer)
        _upload_blob(node, client, bearer)
        _import_email(node, client, bearer)
        _send_remote(node, client, bearer)
        _set_identities_and_vacation(node, client, bearer)
        for secret in (app_password, alice.password):
            me = client.get("/auth/me", auth=(alice.address, secret))
            assert me.status_code == 200, me.text

        # Failed attempts feed the throttle tables; the tried password must not stay.
        wrong = canary_password("wrong-password")
        node.secret("wrong password", text_forms(wrong))
        assert login(alice, wrong).status_code == 401
        unknown = CliAccount(f"{unique_local_part()}@{DOMAIN}", "")
        assert login(unknown, wrong).status_code == 401

        changed = canary_password("changed-password")
        node.secret("changed password", text_forms(changed))
        response = client.post(
            "/auth/password",
            json={"currentPassword": alice.password, "newPassword": changed},
            headers=bearer,
        )
        assert response.status_code == 204, response.text
        _signed_in(node, login(alice, changed))

        recovered = canary_password("recovered-password")
        node.secret("recovered password", text_forms(recovered))
        response = client.post(
            "/auth/recover",
            json={
                "username": alice.address,
                "recoveryCode": alice.recovery_code,
                "newPassword": recovered,
            },
        )
        assert response.status_code == 200, response.text
        next_code = response.json()["recoveryCode"]
        node.secret("recovery code", code_forms(next_code))
        _signed_in(node, login(alice, recovered))

        # One challenge left pending, one failed once and then completed.
        _signed_in(node, login(bob, bob.password))
        challenge = _signed_in(node, login(bob, bob.password))
        for code in (wrong_totp_code(totp), totp.now()):
            response = client.post("/auth/totp", json={"challenge": challenge, "code": code})
        _signed_in(node, response)
        _signed_in(node, login(carol, carol.password))

    reset = canary_password("escrow-reset-password")
    node.secret("escrow reset password", text_forms(reset))
    node.cli(
        *("user", "passwd", bob.address, "--password-stdin"),
        *("--escrow-key", str(node.escrow_private_key)),
        stdin=reset + "\n",
    )
    again = canary_password("code-reset-password")
    node.secret("code reset password", text_forms(again))
    last_code = node.cli(
        *("user", "passwd", alice.address, "--recovery-code", "--password-stdin"),
        stdin=f"{next_code}\n{again}\n",
    )
    node.secret("recovery code", code_forms(last_code))


def test_no_canary_reaches_the_data_directory(canary_node: Canary) -> None:
    _exercise(canary_node)
    data_dir = canary_node.server.data_dir
    scans = {"while running": read_data_dir(data_dir)}
    assert canary_node.server.stop() == 0
    scans["after stopping"] = read_data_dir(data_dir)

    for moment, files in scans.items():
        everything = b"".join(files.values())
        missing = [value for value in canary_node.expected if value.encode() not in everything]
        assert not missing, f"the scan {moment} misses plaintext metadata: {missing}"
        hits = found(canary_node.needles, files)
        assert not hits, f"{moment}: {hits}"
