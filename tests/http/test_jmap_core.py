"""The JMAP core protocol (RFC 8620) over real HTTPS against `sealbox serve`: the Session
resource, authentication, Core/echo, request- and method-level errors, result
references and limits. (tests/http/test_jmap_interop.py has a third-party client.)

The server runs with hostname 127.0.0.1 so the absolute URLs in its Session resource are
ones a client on this machine can follow.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from support.cli_accounts import CliAccount, add_account, add_app_password
from support.server import RunningServer, hosted_server, https_client

pytestmark = pytest.mark.slow

DOMAIN = "jmap.example"
CORE = "urn:ietf:params:jmap:core"
MAIL = "urn:ietf:params:jmap:mail"
SUBMISSION = "urn:ietf:params:jmap:submission"
VACATION_RESPONSE = "urn:ietf:params:jmap:vacationresponse"
QUOTA = "urn:ietf:params:jmap:quota"
RETENTION = "urn:sealbox:retention"
IMAP = "urn:sealbox:imap"
SEARCH = "urn:sealbox:search"
WEBMAIL = "urn:sealbox:webmail"
ERROR = "urn:ietf:params:jmap:error:"


@dataclass(frozen=True)
class Node:
    server: RunningServer
    account: CliAccount
    app_password: str
    token: str

    @property
    def basic(self) -> httpx.BasicAuth:
        return httpx.BasicAuth(self.account.address, self.app_password)

    @property
    def bearer(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with hosted_server(tmp_path_factory, "jmap", DOMAIN) as server:
        account = add_account(server.env, DOMAIN)
        app_password = add_app_password(server.env, account, "jmap client")
        with https_client(server) as client:
            login = {"username": account.address, "password": account.password}
            response = client.post("/auth/login", json=login)
        assert response.status_code == 200, response.text
        yield Node(server, account, app_password, response.json()["token"])


@pytest.fixture
def client(node: Node) -> Iterator[httpx.Client]:
    with https_client(node.server, headers=node.bearer) as client:
        yield client


def _api(client: httpx.Client, body: Any, **options: Any) -> httpx.Response:
    return client.post("/jmap/api/", json=body, **options)


def _calls(response: httpx.Response) -> list[list[Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return list(response.json()["methodResponses"])


def test_session_with_basic_app_password(node: Node) -> None:
    with https_client(node.server) as client:
        response = client.get("/.well-known/jmap", auth=node.basic)
    assert response.status_code == 200, response.text
    session = response.json()
    [account_id] = session["accounts"]
    assert session["accounts"][account_id]["name"] == node.account.address
    assert session["primaryAccounts"] == {
        CORE: account_id,
        MAIL: account_id,
        SUBMISSION: account_id,
        VACATION_RESPONSE: account_id,
        QUOTA: account_id,
        RETENTION: account_id,
        IMAP: account_id,
        SEARCH: account_id,
        WEBMAIL: account_id,
    }
    assert session["username"] == node.account.address
    assert session["apiUrl"] == f"https://127.0.0.1:{node.server.http_port}/jmap/api/"
    assert session["capabilities"][CORE]["maxCallsInRequest"] == 64
    assert session["state"]


def test_session_with_bearer_at_both_addresses(node: Node, client: httpx.Client) -> None:
    well_known = client.get("/.well-known/jmap")
    assert well_known.status_code == 200, well_known.text
    assert client.get("/jmap/session").json() == well_known.json()
    with https_client(node.server) as basic:
        assert basic.get("/.well-known/jmap", auth=node.basic).json() == well_known.json()


@pytest.mark.parametrize(("method", "path"), [("GET", "/.well-known/jmap"), ("POST", "/jmap/api")])
def test_no_credentials_get_a_basic_challenge(node: Node, method: str, path: str) -> None:
    with https_client(node.server) as client:
        response = client.request(method, path, json={"using": [], "methodCalls": []})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic ")


def test_wrong_app_password_is_refused(node: Node) -> None:
    with https_client(node.server) as client:
        # Change the last character (to one it is not: it may already be "x").
        last = "y" if node.app_password.endswith("x") else "x"
        wrong = httpx.BasicAuth(node.account.address, node.app_password[:-1] + last)
        response = client.get("/.well-known/jmap", auth=wrong)
    assert response.status_code == 401


def test_echo_round_trip_at_the_advertised_api_url(client: httpx.Client) -> None:
    session = client.get("/.well-known/jmap").json()
    arguments = {"hello": "wörld", "list": [1, 2.5, None, True], "nested": {"a": {}}}
    response = client.post(
        session["apiUrl"], json={"using": [CORE], "methodCalls": [["Core/echo", arguments, "c1"]]}
    )
    assert _calls(response) == [["Core/echo", arguments, "c1"]]
    assert response.json()["sessionState"] == session["state"]
    assert "createdIds" not in response.json()


REQUEST_ERRORS = [
    (b"{not json", "application/json", "notJSON"),
    (b"\xff\xfe", "application/json", "notJSON"),
    (b'{"using":[],"methodCalls":[]}', "text/plain", "notJSON"),
    (b'{"using":[],"methodCalls":[]}', "application/x-www-form-urlencoded", "notJSON"),
    (b"[]", "application/json", "notRequest"),
    (b'{"using":[]}', "application/json", "notRequest"),
    (b'{"using":[],"methodCalls":[["Core/echo",{}]]}', "application/json", "notRequest"),
    (
        b'{"using":["urn:ietf:params:jmap:core","urn:example:nope"],"methodCalls":[]}',
        "application/json",
        "unknownCapability",
    ),
]


@pytest.mark.parametrize(("body", "content_type", "kind"), REQUEST_ERRORS)
def test_request_level_errors_are_problem_details(
    client: httpx.Client, body: bytes, content_type: str, kind: str
) -> None:
    response = client.post("/jmap/api", content=body, headers={"content-type": content_type})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == ERROR + kind
    assert problem["status"] == 400
    assert problem["detail"]


def test_content_type_parameters_are_accepted(client: httpx.Client) -> None:
    response = client.post(
        "/jmap/api",
        content=b'{"using":[],"methodCalls":[]}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert _calls(response) == []


def test_method_level_errors_leave_the_other_calls_alone(client: httpx.Client) -> None:
    bad_reference = {"resultOf": "nowhere", "name": "Core/echo", "path": "/x"}
    body = {
        "using": [CORE],
        "methodCalls": [
            ["Mailbox/frobnicate", {}, "a"],
            ["Core/echo", {"#x": bad_reference}, "b"],
            ["Core/echo", {"x": 1, "#x": {"resultOf": "a", "name": "x", "path": ""}}, "c"],
            ["Core/echo", {"ok": True}, "d"],
        ],
    }
    responses = _calls(_api(client, body))
    assert [(name, args.get("type"), call_id) for name, args, call_id in responses] == [
        ("error", "unknownMethod", "a"),
        ("error", "invalidResultReference", "b"),
        ("error", "invalidArguments", "c"),
        ("Core/echo", None, "d"),
    ]


def test_a_method_outside_using_is_unknown(client: httpx.Client) -> None:
    responses = _calls(_api(client, {"using": [], "methodCalls": [["Core/echo", {}, "e"]]}))
    assert responses == [["error", responses[0][1], "e"]]
    assert responses[0][1]["type"] == "unknownMethod"


def test_chained_request_with_result_references(client: httpx.Client) -> None:
    body = {
        "using": [CORE],
        "methodCalls": [
            [
                "Core/echo",
                {"list": [{"id": "m1", "to": ["a", "b"]}, {"id": "m2", "to": ["c"]}]},
                "0",
            ],
            [
                "Core/echo",
                {"#ids": {"resultOf": "0", "name": "Core/echo", "path": "/list/*/id"}},
                "1",
            ],
            [
                "Core/echo",
                {"#to": {"resultOf": "0", "name": "Core/echo", "path": "/list/*/to"}},
                "2",
            ],
            [
                "Core/echo",
                {"#first": {"resultOf": "1", "name": "Core/echo", "path": "/ids/0"}},
                "3",
            ],
        ],
        "createdIds": {"draft": "m1"},
    }
    response = _api(client, body)
    responses = _calls(response)
    assert responses[1:] == [
        ["Core/echo", {"ids": ["m1", "m2"]}, "1"],
        ["Core/echo", {"to": ["a", "b", "c"]}, "2"],
        ["Core/echo", {"first": "m1"}, "3"],
    ]
    assert response.json()["createdIds"] == {"draft": "m1"}


def test_max_calls_in_request(client: httpx.Client) -> None:
    calls = [["Core/echo", {}, str(n)] for n in range(64)]
    assert len(_calls(_api(client, {"using": [CORE], "methodCalls": calls}))) == 64
    response = _api(client, {"using": [CORE], "methodCalls": [*calls, ["Core/echo", {}, "64"]]})
    assert response.status_code == 400
    assert response.json()["type"] == ERROR + "limit"
    assert response.json()["limit"] == "maxCallsInRequest"


def _padded(size: int) -> bytes:
    head = b'{"using":[],"methodCalls":[]}'
    return head + b" " * (size - len(head))


def test_max_size_request(client: httpx.Client) -> None:
    # Exactly at the limit is fine; one octet more is refused, before it is parsed.
    headers = {"content-type": "application/json"}
    assert _calls(client.post("/jmap/api", content=_padded(10_000_000), headers=headers)) == []
    response = client.post("/jmap/api", content=_padded(10_000_001), headers=headers)
    assert response.status_code == 400
    assert response.json()["limit"] == "maxSizeRequest"


def test_max_size_request_without_content_length(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        body = _padded(10_000_001)
        for start in range(0, len(body), 1 << 20):
            yield body[start : start + (1 << 20)]

    response = client.post(
        "/jmap/api", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["limit"] == "maxSizeRequest"


def test_status_page_names_the_session_url(node: Node) -> None:
    with https_client(node.server) as client:
        page = client.get("/").text
    assert f"https://127.0.0.1:{node.server.http_port}/.well-known/jmap" in page


def test_mailboxes_over_https_with_basic_auth(node: Node) -> None:
    """Mailbox/query -> /get by reference, /set, /changes: RFC 8621 2 end to end."""
    with https_client(node.server) as client:
        session = client.get("/.well-known/jmap", auth=node.basic).json()
        account = {"accountId": session["primaryAccounts"][MAIL]}
        calls = _calls(
            _api(
                client,
                {
                    "using": [CORE, MAIL],
                    "methodCalls": [
                        ["Mailbox/query", {**account, "filter": {"role": "inbox"}}, "q"],
                        [
                            "Mailbox/get",
                            {
                                **account,
                                "#ids": {"resultOf": "q", "name": "Mailbox/query", "path": "/ids"},
                            },
                            "g",
                        ],
                        ["Mailbox/set", {**account, "create": {"new": {"name": "Receipts"}}}, "s"],
                    ],
                },
                auth=node.basic,
            )
        )
        assert [name for name, _, _ in calls] == ["Mailbox/query", "Mailbox/get", "Mailbox/set"], (
            calls
        )
        [inbox] = calls[1][1]["list"]
        assert (inbox["name"], inbox["role"]) == ("Inbox", "inbox")
        created = calls[2][1]["created"]["new"]["id"]
        old_state = calls[2][1]["oldState"]
        changes = _calls(
            _api(
                client,
                {
                    "using": [CORE, MAIL],
                    "methodCalls": [["Mailbox/changes", {**account, "sinceState": old_state}, "c"]],
                },
                auth=node.basic,
            )
        )
        assert changes[0][1]["created"] == [created]
        # Without the mail capability in `using`, the method is unknown (RFC 8620 3.6.2).
        refused = _calls(
            _api(
                client,
                {"using": [CORE], "methodCalls": [["Mailbox/get", account, "x"]]},
                auth=node.basic,
            )
        )
        assert refused[0][0] == "error" and refused[0][1]["type"] == "unknownMethod"
