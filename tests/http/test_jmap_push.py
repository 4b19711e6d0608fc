"""JMAP push over EventSource (RFC 8620 7.3) against a real `sealbox serve` over HTTPS."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from support.cli_accounts import add_account, add_app_password
from support.server import RunningServer, hosted_server, https_client

pytestmark = pytest.mark.slow
USING = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]


class Node:
    def __init__(self, server: RunningServer, address: str, app_password: str) -> None:
        self.server = server
        self.auth = httpx.BasicAuth(address, app_password)

    def account_id(self) -> str:
        with https_client(self.server) as client:
            session = client.get("/.well-known/jmap", auth=self.auth).json()
        return str(session["primaryAccounts"]["urn:ietf:params:jmap:mail"])

    def create_mailbox(self, name: str) -> dict[str, Any]:
        call = ["Mailbox/set", {"accountId": self.account_id(), "create": {"n": {"name": name}}}]
        with https_client(self.server) as client:
            body = {"using": USING, "methodCalls": [[*call, "0"]]}
            response = client.post("/jmap/api/", json=body, auth=self.auth)
        [[_, result, _]] = response.json()["methodResponses"]
        return dict(result)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with hosted_server(tmp_path_factory, "push", "push.example") as server:
        account = add_account(server.env, "push.example")
        yield Node(server, account.address, add_app_password(server.env, account, "push client"))


def _events(node: Node, query: str, stop_after: int, seconds: float) -> list[tuple[str, Any]]:
    """Read up to `stop_after` events from the stream, for at most `seconds`."""
    events: list[tuple[str, Any]] = []
    with (
        https_client(node.server) as client,
        client.stream(
            "GET", f"/jmap/eventsource/?{query}", auth=node.auth, timeout=seconds + 5
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        name, deadline = "", time.monotonic() + seconds
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[len("data: ") :])))
                if len(events) >= stop_after or time.monotonic() > deadline:
                    break
    return events


def _later(action: Any, delay: float = 0.5) -> threading.Thread:
    thread = threading.Timer(delay, action)
    thread.start()
    return thread


def test_a_change_is_pushed_as_a_state_change(node: Node) -> None:
    account_id = node.account_id()
    results: list[dict[str, Any]] = []
    writer = _later(lambda: results.append(node.create_mailbox("Pushed")))
    events = _events(node, "types=*&closeafter=no&ping=0", stop_after=1, seconds=20)
    writer.join()
    [(name, data)] = events
    assert name == "state"
    assert data == {
        "@type": "StateChange",
        "changed": {account_id: {"Mailbox": results[0]["newState"]}},
    }


def test_closeafter_state_ends_the_response_after_one_event(node: Node) -> None:
    writer = _later(lambda: node.create_mailbox("Closing"))
    # stop_after is generous: the server must end the stream itself after one state event.
    events = _events(node, "types=Mailbox&closeafter=state&ping=0", stop_after=5, seconds=20)
    writer.join()
    assert [name for name, _ in events] == ["state"]


def test_pings_keep_an_idle_stream_alive_and_other_types_stay_quiet(node: Node) -> None:
    writer = _later(lambda: node.create_mailbox("Unwatched"), delay=0.2)
    events = _events(node, "types=Email&closeafter=no&ping=1", stop_after=2, seconds=20)
    writer.join()
    assert events == [("ping", {"interval": 1}), ("ping", {"interval": 1})]


@pytest.mark.parametrize("query", ["closeafter=maybe&ping=0&types=*", "closeafter=no&ping=-1"])
def test_bad_template_values_are_400(node: Node, query: str) -> None:
    with https_client(node.server) as client:
        response = client.get(f"/jmap/eventsource/?{query}", auth=node.auth)
    assert response.status_code == 400
    assert "closeafter" in response.text or "ping" in response.text


def test_the_stream_needs_credentials(node: Node) -> None:
    with https_client(node.server) as client:
        response = client.get("/jmap/eventsource/?types=*&closeafter=no&ping=0")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
