"""JMAP over WebSocket (RFC 8887): requests, responses and push on one connection.

Independent of the transport library: `handle` turns one text message into the reply
to send, and `push_messages` yields StateChange messages while push is enabled. The
HTTP edge only accepts the socket and moves text frames.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec

from api.core.push import Subscription
from api.core.unlocked import UnlockedAccount
from api.jmap.endpoint import JmapApi
from api.jmap.errors import NotJsonError, NotRequestError, RequestError
from api.jmap.event_source import PUSH_TYPES
from api.jmap.states import state_string
from api.jmap.wire import encode_response
from api.store.ids import AccountId

__all__ = ["SUBPROTOCOL", "JmapWebSocket"]

SUBPROTOCOL = "jmap"


def _encode(message: dict[str, Any]) -> str:
    return msgspec.json.encode(message).decode("utf-8")


class JmapWebSocket:
    """The state of one connection: who is signed in and which types they follow."""

    def __init__(self, jmap: JmapApi, unlocked: UnlockedAccount) -> None:
        self._jmap = jmap
        self._unlocked = unlocked
        self.account_id = unlocked.account_id
        self._push_types: frozenset[str] | None = None  # None: push is off

    async def handle(self, text: str) -> str | None:
        """The reply to one client message (4.2-4.4), or None for push control messages."""
        request_id: Any = None
        try:
            try:
                message = msgspec.json.decode(text.encode("utf-8"))
            except msgspec.DecodeError as exc:
                raise NotJsonError("the message is not JSON") from exc
            if not isinstance(message, dict):
                raise NotRequestError("a message is a JSON object with an @type")
            request_id = message.get("id")
            kind = message.pop("@type", None)
            if kind == "WebSocketPushEnable":
                self._enable_push(message)
                return None
            if kind == "WebSocketPushDisable":
                self._push_types = None
                return None
            if kind != "Request":
                raise NotRequestError(f"unknown message @type {kind!r}")
            message.pop("id", None)
            response = await self._jmap.handle(msgspec.json.encode(message), self._unlocked)
        except RequestError as error:
            problem = msgspec.to_builtins(error.problem())
            reply = {"@type": "RequestError", **problem}
            if isinstance(request_id, str):
                reply["requestId"] = request_id
            return _encode(reply)
        body = msgspec.json.decode(encode_response(response))
        reply = {"@type": "Response", **body}
        if isinstance(request_id, str):
            reply["requestId"] = request_id
        return _encode(reply)

    def _enable_push(self, message: dict[str, Any]) -> None:
        types = message.get("dataTypes")
        if types is not None and not (
            isinstance(types, list) and all(isinstance(t, str) for t in types)
        ):
            raise NotRequestError("dataTypes must be null or a list of type names")
        wanted = frozenset(PUSH_TYPES) if types is None else frozenset(types)
        self._push_types = wanted & frozenset(PUSH_TYPES)

    async def push_messages(self, subscription: Subscription) -> AsyncIterator[str]:
        """StateChange messages (4.3.5) for the followed types, until the broker closes."""
        account_id = AccountId(self._unlocked.account_id)
        while not subscription.closed:
            changed = await subscription.wait()
            relevant = sorted(changed & (self._push_types or frozenset()))
            if not relevant:
                continue
            states = {}
            async with self._jmap.services.store.transaction() as tx:
                for type_name in relevant:
                    states[type_name] = state_string(await tx.changes.state(account_id, type_name))
            yield _encode({"@type": "StateChange", "changed": {account_id: states}})
