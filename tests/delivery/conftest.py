"""Fixtures for the outbound queue tests: a settable clock, a stub DNS server, and a node
whose mail for elsewhere.example goes to a real aiosmtpd sink."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from typing import Any

import dns.resolver
import pytest
from support.dns_stub import DnsStub, dns_stub
from support.outbound import FakeClock
from support.smtp_sink import smtp_sink

from api.services import Services


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


@pytest.fixture
async def node(make_services: Any, request: pytest.FixtureRequest) -> Services:
    port = request.getfixturevalue("sink_port")
    options = getattr(request, "param", {})
    return await make_services(outbound_transport=f"elsewhere.example=127.0.0.1:{port}", **options)


@pytest.fixture
def sink_options() -> dict[str, Any]:
    return {}


@pytest.fixture
def sink(sink_options: dict[str, Any]):  # type: ignore[no-untyped-def]
    # A copy: the sink pops its script, and parameters are shared between backends.
    with smtp_sink(**copy.deepcopy(sink_options)) as running:
        yield running


@pytest.fixture
def sink_port(sink: Any) -> int:
    return int(sink.port)
