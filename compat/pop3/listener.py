"""The POP3 listeners of `sealbox serve`: pop3_port with STLS (RFC 2595 4) and pop3s_port
with implicit TLS (RFC 8314 3.2), on settings.bind; a port of 0 is off."""

from __future__ import annotations

import asyncio
import contextlib
import ssl

from api.services import Services
from compat.pop3.connection import MAX_LINE, serve_connection
from compat.pop3.maildrop import MaildropLocks

__all__ = ["Pop3Listeners", "start_pop3"]


class Pop3Listeners:
    def __init__(self) -> None:
        self.servers: list[asyncio.Server] = []
        self.connections: set[asyncio.Task[None]] = set()
        self.locks = MaildropLocks()

    def ports(self) -> list[tuple[str, int]]:
        found = []
        for server in self.servers:
            for sock in server.sockets:
                found.append((str(sock.getsockname()[0]), int(sock.getsockname()[1])))
        return found

    async def stop(self) -> None:
        for server in self.servers:
            server.close()
        for task in list(self.connections):
            task.cancel()
        for task in list(self.connections):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for server in self.servers:
            await server.wait_closed()


async def _listen(
    listeners: Pop3Listeners,
    services: Services,
    port: int,
    context: ssl.SSLContext,
    *,
    implicit_tls: bool,
) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        listeners.connections.add(task)
        try:
            await serve_connection(
                services, reader, writer, context, listeners.locks, implicit_tls=implicit_tls
            )
        except asyncio.CancelledError:
            # Shutdown cancels open connections; the socket is closed, nothing to report.
            pass
        finally:
            listeners.connections.discard(task)

    return await asyncio.start_server(
        handle,
        services.settings.bind,
        port,
        ssl=context if implicit_tls else None,
        limit=MAX_LINE,
    )


async def start_pop3(services: Services, context: ssl.SSLContext) -> Pop3Listeners:
    """Start whichever of pop3_port / pop3s_port is enabled; OSError if one cannot bind."""
    settings = services.settings
    listeners = Pop3Listeners()
    if settings.pop3_port:
        server = await _listen(listeners, services, settings.pop3_port, context, implicit_tls=False)
        listeners.servers.append(server)
    if settings.pop3s_port:
        server = await _listen(listeners, services, settings.pop3s_port, context, implicit_tls=True)
        listeners.servers.append(server)
    return listeners
