"""DKIM keys (RFC 6376 3.6): created and rotated per domain, sealed at rest, and the DNS
records `sealbox domain dkim` prints; plus MX routing (RFC 5321 5.1) through a DNS stub."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import dkim
import pytest
from support.dns_stub import DnsStub, dns_stub
from support.outbound import publish
from support.services import create_account

from api.config import load_settings
from api.core.errors import DomainNotFoundError
from api.delivery.routes import NextHop, RouteError, Router
from api.services import Services

MESSAGE = b"From: alice@example.org\r\nTo: carol@elsewhere.example\r\nSubject: Hi\r\n\r\nHello\r\n"


async def test_keys_sign_verifiably_and_rotate_to_a_new_selector(
    services: Services, dns_server: DnsStub
) -> None:
    await create_account(services, "alice@example.org")
    first = await services.dkim_keys.rotate("Example.ORG")
    signer = await services.dkim_keys.signer("example.org")
    assert signer is not None and "redacted" in repr(signer) and "BEGIN" not in repr(signer)
    publish(dns_server, first)
    signed = signer.sign(MESSAGE)
    assert signed.startswith(b"DKIM-Signature: v=1; a=rsa-sha256;")
    assert f"s={first.selector}".encode() in signed and dkim.verify(signed)

    second = await services.dkim_keys.rotate("example.org")
    assert second.selector != first.selector
    assert await services.dkim_keys.published("example.org") == second
    rotated = await services.dkim_keys.signer("example.org")
    assert rotated is not None and rotated.selector == second.selector
    # Mail signed before the rotation still verifies while the old record stays published.
    assert dkim.verify(signed)
    assert len(base64.b64decode(second.public_key_b64)) > 256  # a 2048-bit key


async def test_the_private_key_never_sits_in_clear(services: Services) -> None:
    await create_account(services, "alice@example.org")
    await services.dkim_keys.rotate("example.org")
    async with services.store.transaction() as tx:
        record = await tx.dkim.get("example.org")
    assert record is not None and "redacted" in repr(record)
    assert b"PRIVATE KEY" not in record.private_key_sealed
    data = services.settings.data_path
    for path in data.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes(), path


async def test_only_hosted_domains_get_keys(services: Services) -> None:
    with pytest.raises(DomainNotFoundError):
        await services.dkim_keys.rotate("elsewhere.example")
    assert await services.dkim_keys.signer("elsewhere.example") is None


def test_sealbox_domain_dkim_prints_the_records_to_publish(cli: Any) -> None:
    assert cli("domain", "add", "example.org").code == 0
    result = cli("domain", "dkim", "example.org", "--hostname", "mail.example.org")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    [dkim_line] = [line for line in lines if "._domainkey.example.org. IN TXT" in line]
    assert '"v=DKIM1; k=rsa; p=' in dkim_line
    # RFC 1035: no character-string over 255 octets.
    assert all(len(part) <= 255 for part in dkim_line.split('"')[1::2])
    text = result.stdout
    assert 'example.org. IN TXT "v=spf1 mx a:mail.example.org -all"' in text
    assert '_dmarc.example.org. IN TXT "v=DMARC1; p=none;' in text
    assert "_mta-sts.example.org. IN TXT" in text and "mx: mail.example.org" in text
    again = cli("domain", "dkim", "example.org")
    assert again.code == 0 and again.stdout.split("selector ")[1] != text.split("selector ")[1]
    assert cli("domain", "dkim", "nope.example").code != 0


def _router(stub: DnsStub, **settings: Any) -> Router:
    return Router(load_settings(None, settings, environ={}), stub.resolver())


async def test_routes_follow_mx_preference_then_the_implicit_mx() -> None:
    records = {
        ("mx.example", "MX"): ["20 backup.mx.example.", "10 primary.mx.example."],
        ("bare.example", "A"): ["192.0.2.7"],
        ("nullmx.example", "MX"): ["0 ."],
    }
    with dns_stub(records) as stub:
        router = _router(stub)
        hops = await router.hops("mx.example")
        assert [hop.host for hop in hops] == ["primary.mx.example", "backup.mx.example"]
        assert await router.hops("bare.example") == [NextHop("bare.example", 25)]
        with pytest.raises(RouteError) as null:
            await router.hops("nullmx.example")
        assert null.value.permanent and null.value.reply.startswith("556 5.1.10")
        with pytest.raises(RouteError) as missing:
            await router.hops("gone.example")
        assert missing.value.permanent
        relayed = _router(stub, outbound_relay="smarthost.example:587")
        assert await relayed.hops("mx.example") == [
            NextHop("smarthost.example", 587, configured=True)
        ]
        mapped = _router(stub, outbound_transport={"mx.example": "127.0.0.1:2525"})
        assert await mapped.hops("MX.example") == [NextHop("127.0.0.1", 2525, configured=True)]


def test_outbound_settings_have_toml_env_and_flag_forms(tmp_path: Path) -> None:
    config = tmp_path / "sealbox.toml"
    config.write_text(
        'outbound_transport = { "a.example" = "127.0.0.1:2525" }\n'
        'outbound_require_tls = ["b.example"]\n',
        encoding="utf-8",
    )
    from_toml = load_settings(str(config), environ={})
    assert from_toml.transport_map == {"a.example": "127.0.0.1:2525"}
    assert from_toml.require_tls_domains == {"b.example"}
    env = {
        "SEALBOX_OUTBOUND_TRANSPORT": "a.example=h:25,B.example=[::1]:26",
        "SEALBOX_OUTBOUND_REQUIRE_TLS": "c.example, d.example",
        "SEALBOX_OUTBOUND_RELAY": "relay.example:587",
    }
    from_env = load_settings(None, environ=env)
    assert from_env.transport_map == {"a.example": "h:25", "b.example": "[::1]:26"}
    assert from_env.require_tls_domains == {"c.example", "d.example"}
    assert from_env.outbound_relay == "relay.example:587"
