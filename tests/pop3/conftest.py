"""An in-process POP3 server (both listeners on free ports) over migrated SQLite services;
each test takes a fresh account with an app password and an in-process JMAP client, so
no test sees another's maildrop."""

from __future__ import annotations

import contextlib
import itertools
import poplib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.environment import free_port, sealbox_settings
from support.jmap_client import Client, make_client

from api.services import Services, build_services
from api.tls import ensure_certificate, server_ssl_context
from compat.pop3.listener import Pop3Listeners, start_pop3

_numbers = itertools.count(1)


@dataclass
class Pop3Account:
    address: str
    app_password: str
    jmap: Client

    async def inbox_ids(self) -> list[str]:
        inbox = await self.jmap.mailbox("inbox")
        got = await self.jmap.one("Email/query", filter={"inMailbox": inbox})
        return list(got["ids"])

    async def mailboxes_of(self, email_id: str) -> set[str]:
        got = await self.jmap.one("Email/get", ids=[email_id], properties=["mailboxIds"])
        return set(got["list"][0]["mailboxIds"]) if got["list"] else set()


@dataclass
class Pop3Server:
    services: Services
    listeners: Pop3Listeners
    stls_port: int
    tls_port: int
    cert: Path

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def tls(self) -> poplib.POP3_SSL:
        return poplib.POP3_SSL(
            "127.0.0.1", self.tls_port, context=self.client_context(), timeout=30
        )

    def plain(self) -> poplib.POP3:
        return poplib.POP3("127.0.0.1", self.stls_port, timeout=30)

    def signed_in(self, account: Pop3Account) -> poplib.POP3_SSL:
        client = self.tls()
        client.user(account.address)
        client.pass_(account.app_password)
        return client

    async def account(self) -> Pop3Account:
        jmap = await make_client(self.services, f"user{next(_numbers)}@example.org")
        secret = await self.services.app_passwords.create(jmap.unlocked, "pop3 tests")
        return Pop3Account(jmap.unlocked.address, secret.secret, jmap)


@contextlib.asynccontextmanager
async def running_pop3(data: Path, **overrides: Any) -> AsyncIterator[Pop3Server]:
    stls_port, tls_port = free_port(), free_port()
    settings = sealbox_settings(
        data, pop3_port=stls_port, pop3s_port=tls_port, hostname="127.0.0.1", **overrides
    )
    services = build_services(settings)
    await services.store.migrate()
    cert, key, _ = ensure_certificate(settings)
    listeners = await start_pop3(services, server_ssl_context(cert, key))
    try:
        yield Pop3Server(services, listeners, stls_port, tls_port, cert)
    finally:
        services.state_broker.close()
        await listeners.stop()
        await services.close()


@pytest.fixture(scope="module")
async def pop3_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Pop3Server]:
    async with running_pop3(tmp_path_factory.mktemp("pop3") / "data") as server:
        yield server
