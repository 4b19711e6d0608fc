"""Fixtures for the outbound queue tests: a settable clock and a stub DNS server."""

from __future__ import annotations

import time
from collections.abc import Iterator

import dns.resolver
import pytest
from support.dns_stub import DnsStub, dns_stub
from support.outbound import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    # A minute ahead, so entries queued during the test are due at once.
    return FakeClock(int(time.time()) + 60)


@pytest.fixture
def dns_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[DnsStub]:
    """A stub DNS server that dnspython (and so dkimpy's verifier) asks by default."""
    with dns_stub() as stub:
        monkeypatch.setattr(dns.resolver, "default_resolver", stub.sync_resolver())
        yield stub
