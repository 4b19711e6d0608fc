"""JMAP over WebSocket (RFC 8887) against a real `sealbox serve` over TLS, with the
`websockets` client library."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from support.cli_accounts import add_account, add_app_password
from support.server import RunningServer, hosted_server, https_client
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

pytestmark = pytest.mark.slow
USING = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]


@dataclass(frozen=True)
class Node:
    server: RunningServer
    authorization: str
    session: dict[str, Any]

    @property
    def account_id(self) -> str:
        return str(self.session["primaryAccounts"]["urn:ietf:params:jmap:mail"])

    @property
    def url(self) -> str:
        return str(self.session["capabilities"]["urn:ietf:params:jmap:websocket"]["url"])

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.server.cert_path))


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with hosted_server(tmp_path_factory, "ws", "ws.example") as server:
        account = add_account(server.env, "ws.example")
        secret = add_app_password(server.env, account, "ws client")
        token = base64.b64encode(f"{account.address}:{secret}".encode()).decode()
        authorization = f"Basic {token}"
        with https_client(server) as client:
            session = client.get("/.well-known/jmap", headers={"authorization": authorization})
        yield Node(server, authorization, session.json())


def _open(node: Node, **options: Any) -> Any:
    options.setdefault("subprotocols", ["jmap"])
    options.setdefault("additional_headers", {"authorization": node.authorization})
    return connect(node.url, ssl=node.tls(), **options)


async def _exchange(socket: ClientConnection, message: dict[str, Any]) -> dict[str, Any]:
    await socket.send(json.dumps(message))
    return dict(json.loads(await asyncio.wait_for(socket.recv(), 10)))


def test_the_session_advertises_the_socket(node: Node) -> None:
    capability = node.session["capabilities"]["urn:ietf:params:jmap:websocket"]
    port = node.server.http_port
    assert capability == {"url": f"wss://127.0.0.1:{port}/jmap/ws/", "supportsPush": True}


async def test_requests_get_responses_with_their_ids(node: Node) -> None:
    async with _open(node) as socket:
        assert socket.subprotocol == "jmap"
        reply = await _exchange(
            socket,
            {
                "@type": "Request",
                "id": "r1",
                "using": USING,
                "methodCalls": [
                    ["Core/echo", {"hello": "websocket"}, "0"],
                    ["Mailbox/query", {"accountId": node.account_id}, "1"],
                ],
            },
        )
        assert reply["@type"] == "Response" and reply["requestId"] == "r1"
        assert reply["methodResponses"][0] == ["Core/echo", {"hello": "websocket"}, "0"]
        assert len(reply["methodResponses"][1][1]["ids"]) == 6
        assert reply["sessionState"] == node.session["state"]

        for bad, problem in [
            (
                {"@type": "Request", "id": "r2", "using": ["urn:x"], "methodCalls": []},
                "unknownCapability",
            ),
            ({"@type": "Nonsense", "id": "r3"}, "notRequest"),
        ]:
            error = await _exchange(socket, bad)
            assert error["@type"] == "RequestError" and error["requestId"] == bad["id"]
            assert error["type"] == f"urn:ietf:params:jmap:error:{problem}"
        await socket.send("not json")
        garbage = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert garbage["type"] == "urn:ietf:params:jmap:error:notJSON"


async def test_push_sends_state_changes_until_disabled(node: Node) -> None:
    async with _open(node) as listener, _open(node) as writer:
        await listener.send(json.dumps({"@type": "WebSocketPushEnable", "dataTypes": None}))
        await asyncio.sleep(0.2)  # the enable is processed before the change below
        create = {"accountId": node.account_id, "create": {"n": {"name": "Over the socket"}}}
        done = await _exchange(
            writer,
            {"@type": "Request", "using": USING, "methodCalls": [["Mailbox/set", create, "0"]]},
        )
        new_state = done["methodResponses"][0][1]["newState"]
        change = json.loads(await asyncio.wait_for(listener.recv(), 10))
        assert change == {
            "@type": "StateChange",
            "changed": {node.account_id: {"Mailbox": new_state}},
        }
        await listener.send(json.dumps({"@type": "WebSocketPushDisable"}))
        await asyncio.sleep(0.2)
        create["create"] = {"m": {"name": "Unheard"}}
        await _exchange(
            writer,
            {"@type": "Request", "using": USING, "methodCalls": [["Mailbox/set", create, "0"]]},
        )
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(listener.recv(), 1)


async def test_without_credentials_or_subprotocol_the_socket_is_refused(node: Node) -> None:
    for options in ({"additional_headers": {}}, {"subprotocols": None}):
        with pytest.raises((InvalidStatus, ConnectionClosed)):
            async with _open(node, **options) as socket:
                await asyncio.wait_for(socket.recv(), 5)
