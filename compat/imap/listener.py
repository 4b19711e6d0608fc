"""The IMAP listeners of `sealbox serve`: imap_port with STARTTLS (RFC 9051 6.2.1) and
imaps_port with implicit TLS (RFC 8314 3.2), on settings.bind; a port of 0 is off."""

from __future__ import annotations

import asyncio
import contextlib
import ssl

from api.services import Services
from compat.imap.connection import MAX_LINE, serve_connection

__all__ = ["ImapListeners", "start_imap"]


class ImapListeners:
    def __init__(self) -> None:
        self.servers: list[asyncio.Server] = []
        self.connections: set[asyncio.Task[None]] = set()

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
    listeners: ImapListeners,
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
            await serve_connection(services, reader, writer, context, implicit_tls=implicit_tls)
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


async def start_imap(services: Services, context: ssl.SSLContext) -> ImapListeners:
    """Start whichever of imap_port / imaps_port is enabled; OSError if one cannot bind."""
    settings = services.settings
    listeners = ImapListeners()
    if settings.imap_port:
        server = await _listen(listeners, services, settings.imap_port, context, implicit_tls=False)
        listeners.servers.append(server)
    if settings.imaps_port:
        server = await _listen(listeners, services, settings.imaps_port, context, implicit_tls=True)
        listeners.servers.append(server)
    return listeners
