"""The JMAP WebSocket endpoint (RFC 8887): authenticate the upgrade, then move text frames.

Credentials come with the upgrade request (Authorization header or the session cookie),
as for every other JMAP endpoint; the "jmap" subprotocol is required (RFC 8887 3).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from litestar import WebSocket, websocket
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, WebSocketDisconnect

from api.core.errors import SealboxError
from api.http.jmap_routes import JmapApiDep
from api.http.principal import ServicesDep, resolve_principal
from api.jmap.websocket import SUBPROTOCOL, JmapWebSocket
from api.store.ids import AccountId

__all__ = ["jmap_websocket"]

AnySocket = WebSocket[Any, Any, State]
# RFC 6455 7.4.1 close codes.
PROTOCOL_ERROR, POLICY_VIOLATION = 1002, 1008


def _offered(socket: AnySocket) -> list[str]:
    header = socket.headers.get("sec-websocket-protocol", "")
    return [part.strip() for part in header.split(",") if part.strip()]


async def _reader(socket: AnySocket, session: JmapWebSocket) -> None:
    while True:
        reply = await session.handle(await socket.receive_text())
        if reply is not None:
            await socket.send_text(reply)


async def _pusher(socket: AnySocket, session: JmapWebSocket, services: ServicesDep) -> None:
    account_id = AccountId(session.account_id)
    with services.state_broker.subscribe(account_id) as subscription:
        async for message in session.push_messages(subscription):
            await socket.send_text(message)


@websocket("/jmap/ws/")
async def jmap_websocket(socket: AnySocket, services: ServicesDep, jmap: JmapApiDep) -> None:
    if SUBPROTOCOL not in _offered(socket):
        await socket.close(code=PROTOCOL_ERROR, reason="the jmap subprotocol is required")
        return
    try:
        principal = await resolve_principal(socket, services, challenge=True)
    except (NotAuthorizedException, SealboxError):
        await socket.close(code=POLICY_VIOLATION, reason="sign in first")
        return
    await socket.accept(subprotocols=SUBPROTOCOL)
    session = JmapWebSocket(jmap, principal.unlocked)
    reader = asyncio.create_task(_reader(socket, session))
    pusher = asyncio.create_task(_pusher(socket, session, services))
    try:
        await asyncio.wait({reader, pusher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (reader, pusher):
            task.cancel()
        for task in (reader, pusher):
            # The client went away (or the server stops): nothing left to tell anyone.
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await task
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await socket.close()
