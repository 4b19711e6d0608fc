"""The POP3 listeners of `sealbox serve`: pop3_port with STLS (RFC 2595 4) and pop3s_port
with implicit TLS (RFC 8314 3.2), on settings.bind; a port of 0 is off."""

from __future__ import annotations

import asyncio
import ssl

from api.services import Services
from compat.pop3.connection import MAX_LINE, serve_connection
from compat.pop3.maildrop import MaildropLocks
from compat.tls_listeners import TlsListeners

__all__ = ["Pop3Listeners", "start_pop3"]


class Pop3Listeners(TlsListeners):
    def __init__(self) -> None:
        super().__init__()
        # One session per maildrop (RFC 1939 8), within this process.
        self.locks = MaildropLocks()


async def start_pop3(services: Services, context: ssl.SSLContext) -> Pop3Listeners:
    """Start whichever of pop3_port / pop3s_port is enabled; OSError if one cannot bind."""
    settings = services.settings
    listeners = Pop3Listeners()

    async def serve(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, implicit_tls: bool
    ) -> None:
        await serve_connection(
            services, reader, writer, context, listeners.locks, implicit_tls=implicit_tls
        )

    ports = (settings.pop3_port, settings.pop3s_port)
    await listeners.listen_both(settings.bind, ports, context, serve, line_limit=MAX_LINE)
    return listeners
