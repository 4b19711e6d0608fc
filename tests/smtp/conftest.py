"""In-process SMTP listeners on free ports over real sockets, with a stub DNS zone."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.environment import free_port, sealbox_settings
from support.jmap_client import make_client
from support.smtp_dkim import zone_text
from support.smtp_node import SmtpNode

from api.services import build_services
from api.tls import ensure_certificate, server_ssl_context
from compat.smtp.listeners import SmtpListener, start_smtp_listeners


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[SmtpNode]:
    zone = tmp_path / "zone.txt"
    zone.write_text(zone_text())
    ports = {name: free_port() for name in ("smtp", "submission", "submissions")}
    settings = sealbox_settings(
        tmp_path / "data",
        "",
        hostname="mx.example.org",
        dns_zone_file=str(zone),
        max_message_octets=200_000,
        smtp_port=ports["smtp"],
        submission_port=ports["submission"],
        submissions_port=ports["submissions"],
    )
    services = build_services(settings)
    await services.store.migrate()
    alice = await make_client(services, "alice@example.org")
    secret = (await services.app_passwords.create(alice.unlocked, "smtp test")).secret
    cert, key, _ = ensure_certificate(settings)
    listeners: list[SmtpListener] = await start_smtp_listeners(
        services, server_ssl_context(cert, key)
    )
    client_tls = ssl.create_default_context(cafile=str(cert))
    client_tls.check_hostname = False
    try:
        yield SmtpNode(
            services,
            alice,
            secret,
            ports["smtp"],
            ports["submission"],
            ports["submissions"],
            client_tls,
        )
    finally:
        for listener in listeners:
            await listener.stop()
        await services.close()
