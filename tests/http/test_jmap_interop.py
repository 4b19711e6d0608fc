"""Interop with jmapc, a third-party JMAP client (RFC 8620 2, 3.3, 4; RFC 8621): it discovers
the Session at https://{host}/.well-known/jmap, follows the URLs in it, calls Core/echo,
and reads, imports, flags and sends mail between two accounts with its typed models.

The server runs with hostname 127.0.0.1, which is what jmapc is given as its host, so the
absolute URLs in the Session are ones it can follow.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jmapc import (
    Address,
    Client,
    Comparator,
    Email,
    EmailAddress,
    EmailBodyPart,
    EmailBodyValue,
    EmailQueryFilterCondition,
    EmailSubmission,
    Envelope,
    Mailbox,
    Ref,
)
from jmapc.methods import (
    CoreEcho,
    CoreEchoResponse,
    CustomMethod,
    CustomResponse,
    EmailGet,
    EmailGetResponse,
    EmailQuery,
    EmailQueryResponse,
    EmailSet,
    EmailSetResponse,
    EmailSubmissionSet,
    EmailSubmissionSetResponse,
    IdentityGet,
    IdentityGetResponse,
    MailboxGet,
    MailboxGetResponse,
)
from support.cli_accounts import CliAccount, add_account, add_app_password, checked_cli
from support.environment import free_port, sealbox_environment
from support.server import RunningServer, https_client, start_server

pytestmark = pytest.mark.slow

DOMAIN = "interop.example"
CORE = "urn:ietf:params:jmap:core"
MAIL = "urn:ietf:params:jmap:mail"
POSTCARD = (
    b"From: Pat Postcard <pat@elsewhere.example>\r\n"
    b"To: someone@interop.example\r\n"
    b"Subject: Greetings from the coast\r\n"
    b"Date: Sun, 01 Mar 2026 09:00:00 +0000\r\n"
    b"Message-ID: <postcard@elsewhere.example>\r\n"
    b"\r\n"
    b"Wish you were here. The sea is cold.\r\n"
)


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


def _mailboxes(client: Client) -> dict[str, Mailbox]:
    """Mailbox/get through jmapc's typed models, by role."""
    got = client.request(MailboxGet(ids=None))
    assert isinstance(got, MailboxGetResponse), got
    return {box.role: box for box in got.data if box.role}


def _custom(name: str, capability: str, arguments: dict[str, Any]) -> CustomMethod:
    """A method jmapc has no class for, sent through its generic CustomMethod."""
    method = CustomMethod(data=arguments)
    method.jmap_method = name
    method.using = {capability}
    return method


@pytest.fixture(scope="module")
def recipient(running: tuple[RunningServer, dict[str, str]]) -> tuple[CliAccount, str]:
    created = add_account(running[1], DOMAIN, name="Rita Recipient")
    return created, add_app_password(running[1], created, "jmapc")


def test_jmapc_mail_round_trip(
    server: RunningServer, account: tuple[CliAccount, str], tmp_path: Path
) -> None:
    """Mailbox/get, upload + Email/import, Email/query + Email/get (by reference), and a
    keyword update, every response decoded by jmapc's own models."""
    created, app_password = account
    client = Client.create_with_password(_host(server), created.address, app_password)
    boxes = _mailboxes(client)
    assert {"inbox", "drafts", "sent", "trash", "junk", "archive"} <= set(boxes)
    inbox = boxes["inbox"]
    assert (inbox.name, inbox.total_emails, inbox.unread_emails) == ("Inbox", 0, 0)
    assert inbox.id is not None

    eml = tmp_path / "postcard.eml"
    eml.write_bytes(POSTCARD)
    blob = client.upload_blob(eml)
    assert (blob.type, blob.size) == ("message/rfc822", len(POSTCARD))
    imported = client.request(
        _custom(
            "Email/import",
            MAIL,
            {
                "accountId": client.account_id,
                "emails": {
                    "postcard": {
                        "blobId": blob.id,
                        "mailboxIds": {inbox.id: True},
                        "receivedAt": "2026-03-01T10:00:00Z",
                    }
                },
            },
        )
    )
    assert isinstance(imported, CustomResponse) and imported.data is not None, imported
    email_id = imported.data["created"]["postcard"]["id"]

    query, got = client.request(
        [
            EmailQuery(
                filter=EmailQueryFilterCondition(in_mailbox=inbox.id),
                sort=[Comparator(property="receivedAt", is_ascending=False)],
            ),
            EmailGet(
                ids=Ref("/ids"),
                properties=["subject", "from", "preview", "bodyValues", "textBody", "receivedAt"],
                fetch_text_body_values=True,
            ),
        ]
    )
    assert isinstance(query.response, EmailQueryResponse), query.response
    assert query.response.ids == [email_id]
    assert isinstance(got.response, EmailGetResponse), got.response
    [email] = got.response.data
    assert email.id == email_id
    assert email.subject == "Greetings from the coast"
    assert email.mail_from == [EmailAddress(name="Pat Postcard", email="pat@elsewhere.example")]
    assert email.preview is not None and email.preview.startswith("Wish you were here")
    assert email.received_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert email.text_body is not None and email.body_values is not None
    part_id = email.text_body[0].part_id
    assert part_id is not None
    assert email.body_values[part_id].value == "Wish you were here. The sea is cold.\r\n"

    updated = client.request(EmailSet(update={email_id: {"keywords/$seen": True}}))
    assert isinstance(updated, EmailSetResponse), updated
    assert updated.updated == {email_id: None}
    reread = client.request(EmailGet(ids=[email_id], properties=["keywords"]))
    assert isinstance(reread, EmailGetResponse)
    assert reread.data[0].keywords == {"$seen": True}
    assert _mailboxes(client)["inbox"].unread_emails == 0


def test_jmapc_sends_to_a_second_account(
    server: RunningServer, account: tuple[CliAccount, str], recipient: tuple[CliAccount, str]
) -> None:
    """The jmapc README flow: Email/set a draft, EmailSubmission/set it with
    onSuccessUpdateEmail moving it to Sent; the recipient, also through jmapc, reads it."""
    sender, sender_password = account
    to, to_password = recipient
    client = Client.create_with_password(_host(server), sender.address, sender_password)
    boxes = _mailboxes(client)
    drafts, sent = boxes["drafts"].id, boxes["sent"].id
    identities = client.request(IdentityGet())
    assert isinstance(identities, IdentityGetResponse), identities
    [identity] = identities.data
    assert identity.email == sender.address and identity.id is not None

    subject = f"Hello from jmapc {secrets.token_hex(4)}"
    draft = Email(
        mail_from=[EmailAddress(name="Sender", email=sender.address)],
        to=[EmailAddress(name="Rita", email=to.address)],
        subject=subject,
        keywords={"$draft": True},
        mailbox_ids={drafts: True},
        body_values={"body": EmailBodyValue(value="Sent by a third-party client.")},
        text_body=[EmailBodyPart(part_id="body", type="text/plain")],
    )
    set_call, submit_call, *implicit = client.request(
        [
            EmailSet(create={"draft": draft}),
            EmailSubmissionSet(
                on_success_update_email={
                    "#sendIt": {
                        f"mailboxIds/{drafts}": None,
                        f"mailboxIds/{sent}": True,
                        "keywords/$draft": None,
                    }
                },
                create={
                    "sendIt": EmailSubmission(
                        email_id="#draft",
                        identity_id=identity.id,
                        envelope=Envelope(
                            mail_from=Address(email=sender.address),
                            rcpt_to=[Address(email=to.address)],
                        ),
                    )
                },
            ),
        ]
    )
    assert isinstance(set_call.response, EmailSetResponse), set_call.response
    created = set_call.response.created
    assert created is not None and created["draft"] is not None
    email_id = created["draft"].id
    assert isinstance(submit_call.response, EmailSubmissionSetResponse), submit_call.response
    submitted = submit_call.response.created
    assert submitted is not None and submitted["sendIt"] is not None
    assert submitted["sendIt"].id
    # RFC 8621 7.5: the implicit Email/set answers with the same call id.
    [moved] = implicit
    assert isinstance(moved.response, EmailSetResponse), moved.response
    assert moved.id == submit_call.id and moved.response.updated == {email_id: None}
    filed = client.request(EmailGet(ids=[email_id], properties=["mailboxIds", "keywords"]))
    assert isinstance(filed, EmailGetResponse)
    assert filed.data[0].mailbox_ids == {sent: True}
    assert "$draft" not in (filed.data[0].keywords or {})

    reader = Client.create_with_password(_host(server), to.address, to_password)
    inbox = _mailboxes(reader)["inbox"].id
    query, got = reader.request(
        [
            EmailQuery(filter=EmailQueryFilterCondition(in_mailbox=inbox)),
            EmailGet(ids=Ref("/ids"), properties=["subject", "from", "to", "preview"]),
        ]
    )
    assert isinstance(query.response, EmailQueryResponse), query.response
    assert isinstance(got.response, EmailGetResponse), got.response
    [received] = got.response.data
    assert received.subject == subject
    assert received.mail_from == [EmailAddress(name="Sender", email=sender.address)]
    assert received.to == [EmailAddress(name="Rita", email=to.address)]
    assert received.preview == "Sent by a third-party client."
