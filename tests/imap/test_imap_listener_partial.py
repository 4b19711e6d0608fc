"""IMAP (RFC 9051) and POP3 (RFC 1939) listeners: when the implicit-TLS port is taken, the
plain port that did bind is closed again, not left open with nobody to stop it."""

from __future__ import annotations

import socket

import pytest
from support.environment import free_port
from support.services import ServicesFactory

from api.services import Services
from api.tls import ensure_certificate, server_ssl_context
from compat.imap.listener import start_imap
from compat.pop3.listener import start_pop3


@pytest.mark.parametrize("start", [start_imap, start_pop3], ids=["imap", "pop3"])
async def test_a_taken_tls_port_closes_the_plain_one(
    make_services: ServicesFactory, start: object
) -> None:
    plain = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        tls_port = taken.getsockname()[1]
        services: Services = await make_services(
            imap_port=plain, imaps_port=tls_port, pop3_port=plain, pop3s_port=tls_port
        )
        cert, key, _ = ensure_certificate(services.settings)
        with pytest.raises(OSError):
            await start(services, server_ssl_context(cert, key))  # type: ignore[operator]
    with socket.socket() as again:
        again.bind(("127.0.0.1", plain))  # free: the listener closed it
