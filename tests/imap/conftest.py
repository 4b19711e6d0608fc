"""An in-process IMAP server (both listeners on free ports) over migrated SQLite services,
with one account, its app password and an in-process JMAP client for cross-checks."""

from __future__ import annotations

import contextlib
import imaplib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.environment import free_port, sealbox_settings
from support.jmap_client import Client, make_client

from api.services import Services, build_services
from api.tls import ensure_certificate, server_ssl_context
from compat.imap.listener import ImapListeners, start_imap


@dataclass
class ImapServer:
    services: Services
    listeners: ImapListeners
    starttls_port: int
    tls_port: int
    cert: Path
    address: str
    app_password: str
    jmap: Client

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def tls(self) -> imaplib.IMAP4_SSL:
        return imaplib.IMAP4_SSL(
            "127.0.0.1", self.tls_port, ssl_context=self.client_context(), timeout=30
        )

    def plain(self) -> imaplib.IMAP4:
        return imaplib.IMAP4("127.0.0.1", self.starttls_port, timeout=30)

    def signed_in(self) -> imaplib.IMAP4_SSL:
        client = self.tls()
        client.login(self.address, self.app_password)
        return client


@contextlib.asynccontextmanager
async def running_server(data: Path, **overrides: object) -> AsyncIterator[ImapServer]:
    """A fresh node's IMAP listeners over `data`; `overrides` are settings."""
    starttls_port, tls_port = free_port(), free_port()
    settings = sealbox_settings(
        data, imap_port=starttls_port, imaps_port=tls_port, hostname="127.0.0.1", **overrides
    )
    services = build_services(settings)
    await services.store.migrate()
    cert, key, _ = ensure_certificate(settings)
    listeners = await start_imap(services, server_ssl_context(cert, key))
    jmap = await make_client(services)
    app_password = await services.app_passwords.create(jmap.unlocked, "imap tests")
    try:
        yield ImapServer(
            services=services,
            listeners=listeners,
            starttls_port=starttls_port,
            tls_port=tls_port,
            cert=cert,
            address=jmap.unlocked.address,
            app_password=app_password.secret,
            jmap=jmap,
        )
    finally:
        services.state_broker.close()
        await listeners.stop()
        await services.close()


@pytest.fixture(scope="module")
async def imap_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ImapServer]:
    async with running_server(tmp_path_factory.mktemp("imap") / "data") as server:
        yield server
