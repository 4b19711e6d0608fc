"""Plain-then-STARTTLS and implicit-TLS listeners (RFC 8314 3) for the line protocols.

IMAP and POP3 each serve one connection per task; this keeps the servers and the open
connections, so shutdown closes the ports and cancels what is still talking.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Awaitable, Callable

__all__ = ["ConnectionHandler", "TlsListeners"]

# (reader, writer, implicit_tls) -> serves one connection until it ends.
ConnectionHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, bool], Awaitable[None]]


class TlsListeners:
    def __init__(self) -> None:
        self.servers: list[asyncio.Server] = []
        self.connections: set[asyncio.Task[None]] = set()

    def ports(self) -> list[tuple[str, int]]:
        return [
            (str(sock.getsockname()[0]), int(sock.getsockname()[1]))
            for server in self.servers
            for sock in server.sockets
        ]

    async def listen(
        self,
        bind: str,
        port: int,
        context: ssl.SSLContext,
        serve: ConnectionHandler,
        *,
        implicit_tls: bool,
        line_limit: int,
    ) -> None:
        """Accept on `port`; with implicit_tls the TLS handshake comes first."""

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self.connections.add(task)
            try:
                await serve(reader, writer, implicit_tls)
            except asyncio.CancelledError:
                # Shutdown cancels open connections; the socket is closed, nothing to report.
                pass
            finally:
                self.connections.discard(task)

        self.servers.append(
            await asyncio.start_server(
                handle, bind, port, ssl=context if implicit_tls else None, limit=line_limit
            )
        )

    async def listen_both(
        self,
        bind: str,
        ports: tuple[int, int],
        context: ssl.SSLContext,
        serve: ConnectionHandler,
        *,
        line_limit: int,
    ) -> None:
        """The plain (STARTTLS) port, then the implicit-TLS one, each unless 0. If one
        cannot bind, whatever did is closed again: the caller never gets it to stop."""
        try:
            for port, implicit_tls in zip(ports, (False, True), strict=True):
                if port:
                    await self.listen(
                        bind, port, context, serve, implicit_tls=implicit_tls, line_limit=line_limit
                    )
        except BaseException:
            await self.stop()
            raise

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
