"""Fixtures for the outbound queue tests: a settable clock and queue senders built on it."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from dataclasses import dataclass

import dns.asyncresolver
import dns.resolver
import pytest
from support.dns_stub import DnsStub, dns_stub

from api.delivery.dkim_keys import PublishedKey
from api.delivery.dns_records import txt_strings
from api.delivery.queue_sender import QueueSender
from api.delivery.routes import Router
from api.delivery.smtp_transfer import SmtpTransfer
from api.services import Services


@dataclass
class FakeClock:
    at: int

    def __call__(self) -> int:
        return self.at


@pytest.fixture
def clock() -> FakeClock:
    # A minute ahead, so entries queued during the test are due at once.
    return FakeClock(int(time.time()) + 60)


def queue_sender(
    services: Services,
    clock: FakeClock,
    resolver: dns.asyncresolver.Resolver | None = None,
) -> QueueSender:
    """A node's queue sender on `clock`, routing by the services' settings."""
    settings = services.settings
    transfer = SmtpTransfer(
        Router(settings, resolver), "sealbox.test", settings.require_tls_domains
    )
    return QueueSender(
        services.store,
        services.blobs,
        services.submissions,
        services.delivery,
        services.outbound,
        services.dkim_keys,
        transfer,
        "sealbox.test",
        clock=clock,
    )


def publish(stub: DnsStub, key: PublishedKey) -> None:
    """Put the DKIM key record where a verifier looks (RFC 6376 3.6.2.1)."""
    name = f"{key.selector}._domainkey.{key.domain}"
    stub.records[(name, "TXT")] = [txt_strings(f"v=DKIM1; k=rsa; p={key.public_key_b64}")]
    assert base64.b64decode(key.public_key_b64)


@pytest.fixture
def dns_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[DnsStub]:
    """A stub DNS server that dnspython (and so dkimpy's verifier) asks by default."""
    with dns_stub() as stub:
        monkeypatch.setattr(dns.resolver, "default_resolver", stub.sync_resolver())
        yield stub
