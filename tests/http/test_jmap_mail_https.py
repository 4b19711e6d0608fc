"""JMAP Mail (RFC 8621) over real HTTPS against `sealbox serve`: each scenario is one JMAP
request from httpx with a Bearer token from /auth/login, between two accounts made with the
CLI: import, query and get by reference; keywords, moves and counts; destroy and the
retention methods; threads; submission; quotas (RFC 9425); method-level errors; and push
(RFC 8620 7.3) of the recipient's new state.

tests/jmap/ covers each method in depth in process; this suite proves the same over the
network, through the real edge, auth and serialisation.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from support.cli_accounts import CliAccount, add_account, checked_cli
from support.messages import message
from support.server import RunningServer, hosted_server, https_client

pytestmark = pytest.mark.slow

DOMAIN = "mail.example"
CORE = "urn:ietf:params:jmap:core"
MAIL = "urn:ietf:params:jmap:mail"
SUBMISSION = "urn:ietf:params:jmap:submission"
QUOTA = "urn:ietf:params:jmap:quota"
RETENTION = "urn:sealbox:retention"
USING = [CORE, MAIL]
QUOTA_OCTETS = 5_000_000


@dataclass(frozen=True)
class Node:
    """One account on the server, signed in with a Bearer token."""

    server: RunningServer
    account: CliAccount
    token: str
    session: dict[str, Any]

    @property
    def account_id(self) -> str:
        return str(self.session["primaryAccounts"][MAIL])

    def client(self, **options: Any) -> httpx.Client:
        return https_client(
            self.server, headers={"authorization": f"Bearer {self.token}"}, **options
        )

    def request(self, using: list[str], *calls: list[Any]) -> list[list[Any]]:
        """One JMAP request; each call's arguments get this account's id unless they name one."""
        method_calls = [
            [name, {"accountId": self.account_id, **args}, i] for name, args, i in calls
        ]
        with self.client() as client:
            response = client.post(
                self.session["apiUrl"], json={"using": using, "methodCalls": method_calls}
            )
        assert response.status_code == 200, response.text
        return list(response.json()["methodResponses"])

    def one(self, using: list[str], name: str, **args: Any) -> dict[str, Any]:
        [[response_name, result, _]] = self.request(using, [name, args, "0"])
        assert response_name == name, result
        return dict(result)

    def upload(self, raw: bytes) -> str:
        url = self.session["uploadUrl"].replace("{accountId}", self.account_id)
        with self.client() as client:
            response = client.post(url, content=raw, headers={"content-type": "message/rfc822"})
        assert response.status_code == 201, response.text
        return str(response.json()["blobId"])

    def mailboxes(self) -> dict[str, str]:
        listed = self.one(USING, "Mailbox/get", ids=None, properties=["role"])["list"]
        return {box["role"]: box["id"] for box in listed if box["role"]}

    def import_email(self, raw: bytes, role: str = "inbox", **extra: Any) -> dict[str, Any]:
        blob_id, mailbox = self.upload(raw), self.mailboxes()[role]
        emails = {"e": {"blobId": blob_id, "mailboxIds": {mailbox: True}, **extra}}
        result = self.one(USING, "Email/import", emails=emails)
        assert result["notCreated"] is None, result
        return dict(result["created"]["e"])


def _sign_in(server: RunningServer, account: CliAccount) -> Node:
    with https_client(server) as client:
        login = client.post(
            "/auth/login", json={"username": account.address, "password": account.password}
        )
        assert login.status_code == 200, login.text
        token = login.json()["token"]
        session = client.get("/.well-known/jmap", headers={"authorization": f"Bearer {token}"})
    assert session.status_code == 200, session.text
    return Node(server, account, token, session.json())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with hosted_server(tmp_path_factory, "mail", DOMAIN) as running:
        yield running


@pytest.fixture(scope="module")
def alice(server: RunningServer) -> Node:
    account = add_account(server.env, DOMAIN, name="Alice")
    checked_cli(server.env, "user", "quota", account.address, str(QUOTA_OCTETS))
    return _sign_in(server, account)


@pytest.fixture(scope="module")
def bob(server: RunningServer) -> Node:
    return _sign_in(server, add_account(server.env, DOMAIN, name="Bob"))


def _unique(subject: str) -> str:
    return f"{subject} {secrets.token_hex(4)}"


def test_import_query_and_get_by_reference_in_one_request(alice: Node) -> None:
    folder = alice.mailboxes()["archive"]
    subjects = [_unique("older"), _unique("newer")]
    blobs = [alice.upload(message(subject=s, message_id=f"{s[-8:]}@x")) for s in subjects]
    emails = {
        f"m{n}": {
            "blobId": blob,
            "mailboxIds": {folder: True},
            "receivedAt": f"2026-01-0{n + 1}T08:00:00Z",
        }
        for n, blob in enumerate(blobs)
    }
    imported, queried, got = alice.request(
        USING,
        ["Email/import", {"emails": emails}, "i"],
        [
            "Email/query",
            {
                "filter": {"inMailbox": folder},
                "sort": [{"property": "receivedAt", "isAscending": False}],
            },
            "q",
        ],
        [
            "Email/get",
            {
                "#ids": {"resultOf": "q", "name": "Email/query", "path": "/ids"},
                "properties": ["subject", "from", "receivedAt", "bodyValues", "textBody"],
                "fetchTextBodyValues": True,
            },
            "g",
        ],
    )
    assert imported[0] == "Email/import" and imported[1]["notCreated"] is None, imported
    older, newer = (imported[1]["created"][f"m{n}"]["id"] for n in range(2))
    assert queried[0] == "Email/query" and queried[1]["ids"] == [newer, older], queried
    assert got[0] == "Email/get", got
    shown = got[1]["list"]
    assert [e["id"] for e in shown] == [newer, older]
    assert [e["subject"] for e in shown] == subjects[::-1]
    assert shown[0]["from"] == [{"name": "Bob", "email": "bob@example.net"}]
    assert shown[0]["receivedAt"] == "2026-01-02T08:00:00Z"
    part = shown[0]["textBody"][0]["partId"]
    assert shown[0]["bodyValues"][part]["value"].startswith("Shall we meet at noon?")


def test_keywords_and_a_move_update_the_mailbox_counts(alice: Node) -> None:
    boxes = alice.mailboxes()
    inbox, trash = boxes["inbox"], boxes["trash"]
    email_id = alice.import_email(message(subject=_unique("move me")))["id"]
    counted = ["totalEmails", "unreadEmails", "totalThreads", "unreadThreads"]
    before = alice.one(USING, "Mailbox/get", ids=[inbox, trash], properties=counted)["list"]
    patch = {"keywords/$seen": True, f"mailboxIds/{inbox}": None, f"mailboxIds/{trash}": True}
    updated, counts, shown = alice.request(
        USING,
        ["Email/set", {"update": {email_id: patch}}, "s"],
        ["Mailbox/get", {"ids": [inbox, trash], "properties": counted}, "m"],
        ["Email/get", {"ids": [email_id], "properties": ["keywords", "mailboxIds"]}, "g"],
    )
    assert updated[1]["updated"] == {email_id: None}, updated
    assert shown[1]["list"][0]["keywords"] == {"$seen": True}
    assert shown[1]["list"][0]["mailboxIds"] == {trash: True}
    moved = {box["id"]: box for box in counts[1]["list"]}
    old = {box["id"]: box for box in before}
    # The email was unread in the inbox; now it is read, in the trash.
    assert moved[inbox]["totalEmails"] == old[inbox]["totalEmails"] - 1
    assert moved[inbox]["unreadEmails"] == old[inbox]["unreadEmails"] - 1
    assert moved[trash]["totalEmails"] == old[trash]["totalEmails"] + 1
    assert moved[trash]["unreadEmails"] == old[trash]["unreadEmails"]


def test_destroy_list_deleted_and_restore(alice: Node) -> None:
    subject = _unique("regret")
    email_id = alice.import_email(message(subject=subject))["id"]
    using = [*USING, RETENTION]
    destroyed, listed, restored, gone = alice.request(
        using,
        ["Email/set", {"destroy": [email_id]}, "d"],
        ["Email/listDeleted", {}, "l"],
        ["Email/restore", {"ids": [email_id, "enothing"]}, "r"],
        ["Email/get", {"ids": [email_id], "properties": ["subject"]}, "g"],
    )
    assert destroyed[1]["destroyed"] == [email_id], destroyed
    [entry] = [e for e in listed[1]["list"] if e["id"] == email_id]
    assert entry["subject"] == subject and entry["deletedAt"]
    assert restored[0] == "Email/restore" and restored[1]["notFound"] == ["enothing"], restored
    back = restored[1]["restored"][email_id]
    assert back["id"] != email_id
    assert back["mailboxIds"] == {alice.mailboxes()["inbox"]: True}
    assert gone[1]["notFound"] == [email_id] and gone[1]["list"] == []
    again = alice.one(USING, "Email/get", ids=[back["id"]], properties=["subject"])
    assert again["list"] == [{"id": back["id"], "subject": subject}]
    after = alice.one(using, "Email/listDeleted")
    assert email_id not in [e["id"] for e in after["list"]]


def test_a_reply_joins_the_thread(alice: Node) -> None:
    subject = _unique("thread")
    first_id = f"{secrets.token_hex(6)}@example.net"
    first = alice.import_email(
        message(subject=subject, message_id=first_id), receivedAt="2026-02-01T08:00:00Z"
    )
    reply = alice.import_email(
        message(subject=f"Re: {subject}", message_id=f"r{first_id}", in_reply_to=first_id),
        receivedAt="2026-02-02T08:00:00Z",
    )
    got, threads = alice.request(
        USING,
        ["Email/get", {"ids": [reply["id"], first["id"]], "properties": ["threadId"]}, "e"],
        [
            "Thread/get",
            {"#ids": {"resultOf": "e", "name": "Email/get", "path": "/list/*/threadId"}},
            "t",
        ],
    )
    assert {e["threadId"] for e in got[1]["list"]} == {first["threadId"]}
    assert threads[0] == "Thread/get", threads
    assert threads[1]["list"] == [{"id": first["threadId"], "emailIds": [first["id"], reply["id"]]}]
    assert threads[1]["state"]


def _identity(node: Node) -> str:
    [identity] = node.one([CORE, SUBMISSION], "Identity/get", ids=None)["list"]
    assert identity["email"] == node.account.address
    return str(identity["id"])


def _send(sender: Node, to: Node, subject: str) -> list[list[Any]]:
    """Compose a draft and submit it, filing it in Sent: one request (RFC 8621 7.5)."""
    boxes, identity = sender.mailboxes(), _identity(sender)
    draft = {
        "mailboxIds": {boxes["drafts"]: True},
        "keywords": {"$draft": True},
        "from": [{"name": "Alice", "email": sender.account.address}],
        "to": [{"name": "Bob", "email": to.account.address}],
        "subject": subject,
        "bodyValues": {"b": {"value": "Over HTTPS."}},
        "textBody": [{"partId": "b", "type": "text/plain"}],
    }
    file_in_sent = {
        f"mailboxIds/{boxes['drafts']}": None,
        f"mailboxIds/{boxes['sent']}": True,
        "keywords/$draft": None,
    }
    return sender.request(
        [*USING, SUBMISSION],
        ["Email/set", {"create": {"draft": draft}}, "c"],
        [
            "EmailSubmission/set",
            {
                "create": {"send": {"emailId": "#draft", "identityId": identity}},
                "onSuccessUpdateEmail": {"#send": file_in_sent},
            },
            "s",
        ],
    )


def test_submission_between_two_accounts(alice: Node, bob: Node) -> None:
    subject = _unique("For Bob")
    created, submitted, filed = _send(alice, bob, subject)
    email_id = created[1]["created"]["draft"]["id"]
    assert submitted[0] == "EmailSubmission/set", submitted
    status = submitted[1]["created"]["send"]["deliveryStatus"][bob.account.address]
    assert status["delivered"] == "yes" and status["smtpReply"].startswith("250")
    assert (
        filed[:1] == ["Email/set"] and filed[2] == "s" and filed[1]["updated"] == {email_id: None}
    )
    sent = alice.one(USING, "Email/get", ids=[email_id], properties=["mailboxIds", "keywords"])
    assert sent["list"][0]["mailboxIds"] == {alice.mailboxes()["sent"]: True}
    assert "$draft" not in sent["list"][0]["keywords"]

    queried, got = bob.request(
        USING,
        [
            "Email/query",
            {"filter": {"inMailbox": bob.mailboxes()["inbox"], "subject": subject}},
            "q",
        ],
        [
            "Email/get",
            {
                "#ids": {"resultOf": "q", "name": "Email/query", "path": "/ids"},
                "properties": ["subject", "from", "keywords", "preview"],
            },
            "g",
        ],
    )
    assert len(queried[1]["ids"]) == 1, queried
    [received] = got[1]["list"]
    assert received["subject"] == subject and received["preview"] == "Over HTTPS."
    assert received["from"] == [{"name": "Alice", "email": alice.account.address}]
    assert received["keywords"] == {}


def test_quota_follows_an_import(alice: Node) -> None:
    blob_id, inbox = alice.upload(message(subject=_unique("weighed"))), alice.mailboxes()["inbox"]
    emails = {"w": {"blobId": blob_id, "mailboxIds": {inbox: True}}}
    using = [*USING, QUOTA]
    before, imported, after = alice.request(
        using,
        ["Quota/get", {"ids": None}, "a"],
        ["Email/import", {"emails": emails}, "i"],
        ["Quota/get", {"ids": None}, "b"],
    )
    [quota] = before[1]["list"]
    assert quota["hardLimit"] == QUOTA_OCTETS
    assert (quota["resourceType"], quota["scope"], quota["types"]) == (
        "octets",
        "account",
        ["Mail"],
    )
    size = imported[1]["created"]["w"]["size"]
    assert after[1]["list"][0]["used"] == quota["used"] + size
    assert after[1]["state"] != before[1]["state"]
    # Bob has no limit, so no quota.
    assert after[1]["accountId"] == alice.account_id


def test_bob_without_a_limit_has_no_quota(bob: Node) -> None:
    assert bob.one([*USING, QUOTA], "Quota/get", ids=None)["list"] == []


def test_method_level_errors_over_http(alice: Node, bob: Node) -> None:
    state = alice.one(USING, "Email/get", ids=[])["state"]
    stale = str(int(state) + 1000)
    responses = alice.request(
        USING,
        ["Email/get", {"ids": "not a list"}, "invalidArguments"],
        ["Email/set", {"ifInState": stale, "update": {}}, "stateMismatch"],
        ["Email/changes", {"sinceState": "yesterday"}, "cannotCalculateChanges"],
        ["Email/query", {"anchor": "enosuchemail"}, "anchorNotFound"],
        ["Email/query", {"filter": {"colour": "red"}}, "unsupportedFilter"],
        ["Email/listDeleted", {}, "unknownMethod"],
        ["Email/get", {"accountId": bob.account_id, "ids": None}, "accountNotFound"],
        ["Email/get", {"ids": []}, "fine"],
    )
    assert [(name, args.get("type"), call_id) for name, args, call_id in responses] == [
        ("error", call_id, call_id) for _, _, call_id in responses[:-1]
    ] + [("Email/get", None, "fine")]
    # The refused /set changed nothing.
    assert responses[-1][1]["state"] == state


def test_push_tells_the_recipient_of_new_mail(alice: Node, bob: Node) -> None:
    url = bob.session["eventSourceUrl"].format(types="*", closeafter="no", ping="0")
    before = bob.request(USING, ["Email/get", {"ids": []}, "e"], ["Mailbox/get", {"ids": []}, "m"])
    subject = _unique("pushed")
    seen: dict[str, str] = {}
    sent: list[list[list[Any]]] = []
    with bob.client() as client, client.stream("GET", url) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        writer = threading.Timer(0.5, lambda: sent.append(_send(alice, bob, subject)))
        writer.start()
        deadline = time.monotonic() + 20
        for line in stream.iter_lines():
            if line.startswith("data: "):
                change = json.loads(line[len("data: ") :])
                assert change["@type"] == "StateChange"
                assert set(change["changed"]) == {bob.account_id}, change
                seen.update(change["changed"][bob.account_id])
            if {"Email", "Mailbox"} <= set(seen) or time.monotonic() > deadline:
                break
    writer.join()
    assert sent, "the message was not sent"
    assert seen["Email"] != before[0][1]["state"]
    assert seen["Mailbox"] != before[1][1]["state"]
    # The pushed states are real ones: what changed up to them is the delivered message.
    [[_, email_changes, _], [_, mailbox_changes, _]] = bob.request(
        USING,
        ["Email/changes", {"sinceState": before[0][1]["state"]}, "e"],
        ["Mailbox/changes", {"sinceState": before[1][1]["state"]}, "m"],
    )
    [created] = email_changes["created"]
    assert mailbox_changes["updated"] == [bob.mailboxes()["inbox"]]
    got = bob.one(USING, "Email/get", ids=[created], properties=["subject"])
    assert got["list"][0]["subject"] == subject
    bob.one(USING, "Email/changes", sinceState=seen["Email"])
