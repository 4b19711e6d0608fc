"""A DKIM test key, its DNS record, and a zone file for the inbound-check resolver stub."""

from __future__ import annotations

import base64
import functools

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["arc_seal", "dkim_key", "dkim_txt", "sign", "zone_text"]


@functools.cache
def dkim_key() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def dkim_txt() -> str:
    private = serialization.load_pem_private_key(dkim_key(), None)
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}"


def sign(raw: bytes, domain: str, selector: str = "test") -> bytes:
    signature = dkim.sign(
        raw, selector.encode(), domain.encode(), dkim_key(), include_headers=[b"from", b"subject"]
    )
    return signature + raw


def arc_seal(raw: bytes, domain: str, authserv_id: str, selector: str = "test") -> bytes:
    """`raw` as a forwarder at `domain` passes it on: its Authentication-Results, then
    the ARC set dkimpy makes over them (RFC 8617 5.1)."""
    results = f"Authentication-Results: {authserv_id}; spf=pass smtp.mailfrom={domain}\r\n"
    message = results.encode() + raw
    headers = dkim.arc_sign(
        message, selector.encode(), domain.encode(), dkim_key(), authserv_id.encode()
    )
    return b"".join(headers) + message


def _txt(value: str) -> str:
    # Zone-file TXT: strings of at most 255 octets each.
    chunks = [value[i : i + 200] for i in range(0, len(value), 200)]
    return " ".join(f'"{c}"' for c in chunks)


def zone_text() -> str:
    """good.test: SPF for 127.0.0.1, DKIM key, p=reject; strict.test: SPF elsewhere,
    p=reject; wary.test: SPF elsewhere, p=quarantine; loose.test: p=none."""
    return "\n".join(
        [
            "$TTL 300",
            "@ IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300",
            'good.test. IN TXT "v=spf1 ip4:127.0.0.1 -all"',
            f"test._domainkey.good.test. IN TXT {_txt(dkim_txt())}",
            '_dmarc.good.test. IN TXT "v=DMARC1; p=reject"',
            'strict.test. IN TXT "v=spf1 ip4:192.0.2.1 -all"',
            f"test._domainkey.strict.test. IN TXT {_txt(dkim_txt())}",
            '_dmarc.strict.test. IN TXT "v=DMARC1; p=reject"',
            'wary.test. IN TXT "v=spf1 ip4:192.0.2.1 -all"',
            '_dmarc.wary.test. IN TXT "v=DMARC1; p=quarantine"',
            'loose.test. IN TXT "v=spf1 ip4:192.0.2.1 -all"',
            '_dmarc.loose.test. IN TXT "v=DMARC1; p=none"',
            "",
        ]
    )
