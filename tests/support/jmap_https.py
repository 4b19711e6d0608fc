"""One account on a running server, signed in over HTTPS with a Bearer token: terse JMAP calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from support.cli_accounts import CliAccount
from support.server import RunningServer, https_client

__all__ = ["USING", "HttpsNode", "sign_in"]

USING = [
    "urn:ietf:params:jmap:core",
    "urn:ietf:params:jmap:mail",
    "urn:ietf:params:jmap:submission",
    "urn:sealbox:retention",
    "urn:sealbox:webmail",
]


@dataclass(frozen=True)
class HttpsNode:
    server: RunningServer
    account: CliAccount
    token: str
    session: dict[str, Any]

    @property
    def account_id(self) -> str:
        return str(self.session["primaryAccounts"]["urn:ietf:params:jmap:mail"])

    def client(self) -> httpx.Client:
        return https_client(self.server, headers={"authorization": f"Bearer {self.token}"})

    def request(self, *calls: tuple[str, dict[str, Any]]) -> list[list[Any]]:
        method_calls = [
            [name, {"accountId": self.account_id, **args}, f"c{i}"]
            for i, (name, args) in enumerate(calls)
        ]
        with self.client() as client:
            response = client.post(
                self.session["apiUrl"], json={"using": USING, "methodCalls": method_calls}
            )
        assert response.status_code == 200, response.text
        return list(response.json()["methodResponses"])

    def one(self, name: str, **args: Any) -> dict[str, Any]:
        [[response_name, result, _]] = self.request((name, args))
        assert response_name == name, result
        return dict(result)

    def mailboxes(self) -> dict[str, str]:
        listed = self.one("Mailbox/get", ids=None, properties=["role"])["list"]
        return {box["role"]: box["id"] for box in listed if box["role"]}

    def import_email(self, raw: bytes, role: str = "inbox", **extra: Any) -> str:
        url = self.session["uploadUrl"].replace("{accountId}", self.account_id)
        with self.client() as client:
            uploaded = client.post(url, content=raw, headers={"content-type": "message/rfc822"})
        assert uploaded.status_code == 201, uploaded.text
        emails = {
            "e": {
                "blobId": uploaded.json()["blobId"],
                "mailboxIds": {self.mailboxes()[role]: True},
                **extra,
            }
        }
        result = self.one("Email/import", emails=emails)
        assert result["notCreated"] is None, result
        return str(result["created"]["e"]["id"])

    def find(self, subject: str, role: str = "inbox") -> list[dict[str, Any]]:
        """Emails in the mailbox of `role` whose subject contains `subject`."""
        _, got = self.request(
            ("Email/query", {"filter": {"inMailbox": self.mailboxes()[role], "subject": subject}}),
            (
                "Email/get",
                {
                    "#ids": {"resultOf": "c0", "name": "Email/query", "path": "/ids"},
                    "properties": ["subject", "keywords", "mailboxIds", "inReplyTo", "from"],
                },
            ),
        )
        return list(got[1]["list"])

    def send(self, to: str, subject: str, body: str) -> None:
        """Compose and submit in one request, filed in Sent (RFC 8621 7.5)."""
        boxes = self.mailboxes()
        [identity] = self.one("Identity/get", ids=None)["list"]
        draft = {
            "mailboxIds": {boxes["drafts"]: True},
            "keywords": {"$draft": True, "$seen": True},
            "from": [{"email": self.account.address}],
            "to": [{"email": to}],
            "subject": subject,
            "textBody": [{"partId": "1", "type": "text/plain"}],
            "bodyValues": {"1": {"value": body}},
        }
        moved = {f"mailboxIds/{boxes['drafts']}": None, f"mailboxIds/{boxes['sent']}": True}
        responses = self.request(
            ("Email/set", {"create": {"d": draft}}),
            (
                "EmailSubmission/set",
                {
                    "create": {"s": {"emailId": "#d", "identityId": identity["id"]}},
                    "onSuccessUpdateEmail": {"#s": moved},
                },
            ),
        )
        assert responses[1][1].get("notCreated") is None, responses


def sign_in(server: RunningServer, account: CliAccount) -> HttpsNode:
    with https_client(server) as client:
        login = client.post(
            "/auth/login", json={"username": account.address, "password": account.password}
        )
        assert login.status_code == 200, login.text
        token = login.json()["token"]
        session = client.get("/.well-known/jmap", headers={"authorization": f"Bearer {token}"})
    assert session.status_code == 200, session.text
    return HttpsNode(server, account, token, session.json())
