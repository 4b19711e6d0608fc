"""The IMAP listeners of `sealbox serve`: imap_port with STARTTLS (RFC 9051 6.2.1) and
imaps_port with implicit TLS (RFC 8314 3.2), on settings.bind; a port of 0 is off."""

from __future__ import annotations

import asyncio
import ssl

from api.services import Services
from compat.imap.connection import MAX_LINE, serve_connection
from compat.imap.listing_cache import ListingCache
from compat.tls_listeners import TlsListeners

__all__ = ["ImapListeners", "start_imap"]


class ImapListeners(TlsListeners):
    pass


async def start_imap(services: Services, context: ssl.SSLContext) -> ImapListeners:
    """Start whichever of imap_port / imaps_port is enabled; OSError if one cannot bind."""
    settings = services.settings
    listeners = ImapListeners()
    # One for all connections: a client's second connection, or its reconnect, SELECTs
    # from the kept listing.
    listings = ListingCache()

    async def serve(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, implicit_tls: bool
    ) -> None:
        await serve_connection(
            services, reader, writer, context, implicit_tls=implicit_tls, listings=listings
        )

    ports = (settings.imap_port, settings.imaps_port)
    await listeners.listen_both(settings.bind, ports, context, serve, line_limit=MAX_LINE)
    return listeners
