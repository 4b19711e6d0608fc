"""Helpers for the outbound queue tests: a settable clock, queue senders on it, DKIM records."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import dns.asyncresolver

from api.delivery.dkim_keys import PublishedKey
from api.delivery.dns_records import txt_strings
from api.delivery.queue_sender import BATCH, QueueSender
from api.delivery.routes import Router
from api.delivery.smtp_transfer import SmtpTransfer
from api.services import Services
from support.dns_stub import DnsStub

__all__ = ["FakeClock", "publish", "queue_sender"]


@dataclass
class FakeClock:
    at: int

    def __call__(self) -> int:
        return self.at


def queue_sender(
    services: Services,
    clock: FakeClock,
    resolver: dns.asyncresolver.Resolver | None = None,
    batch: int = BATCH,
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
        batch=batch,
    )


def publish(stub: DnsStub, key: PublishedKey) -> None:
    """Put the DKIM key record where a verifier looks (RFC 6376 3.6.2.1)."""
    name = f"{key.selector}._domainkey.{key.domain}"
    stub.records[(name, "TXT")] = [txt_strings(f"v=DKIM1; k=rsa; p={key.public_key_b64}")]
    assert base64.b64decode(key.public_key_b64)
