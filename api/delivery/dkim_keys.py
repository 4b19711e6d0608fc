"""Each hosted domain's DKIM key (RFC 6376 3.3.1 rsa-sha256, 2048-bit): created, rotated, used.

The private key is sealed (AES-256-GCM) under an installation key derived per domain from
the instance secret "dkim-keys", because the queue sender signs without any user key; the
selector and public key are plaintext, being published in DNS anyway.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import secrets
from dataclasses import dataclass

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from api.core.addresses import normalize_domain
from api.core.clock import now
from api.core.errors import DomainNotFoundError
from api.store.dkim_keys import DkimKeyRecord
from api.store.unit_of_work import Store, Transaction
from crypto.aead import open_sealed, seal
from crypto.kdf import hkdf_sha256
from crypto.labels import bind
from crypto.secret_value import SecretBytes

__all__ = ["ALGORITHM", "DkimKeyService", "DkimSigner", "PublishedKey"]

ALGORITHM = "rsa-sha256"
# RFC 8301 3.2: at least 1024 bits, 2048 recommended; rsa-sha256 verifies everywhere,
# where ed25519-sha256 (RFC 8463) is still ignored by some large receivers.
_RSA_BITS = 2048
# The row name in instance_secrets, not a secret itself.
_KEY_SOURCE = "dkim-keys"
# dkimpy's default header list, plus From signed twice so none can be added (RFC 6376 8.15).
_SIGNED_HEADERS = [
    b"from", b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"in-reply-to",
    b"references", b"reply-to", b"mime-version", b"content-type",
    b"content-transfer-encoding",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class PublishedKey:
    """What `sealbox domain dkim` prints: the selector and the DNS p= value."""

    domain: str
    selector: str
    public_key_b64: str


@dataclass(frozen=True, slots=True, repr=False)
class DkimSigner:
    """An opened signing key; holds the private key, so it lives for one queue run."""

    domain: str
    selector: str
    private_pem: SecretBytes

    def __repr__(self) -> str:
        return f"DkimSigner({self.domain}, {self.selector}, <private key redacted>)"

    def sign(self, raw: bytes) -> bytes:
        """`raw` with a DKIM-Signature header field prepended (CPU work: run it in a thread)."""
        header = dkim.sign(
            raw,
            self.selector.encode(),
            self.domain.encode(),
            self.private_pem.reveal(),
            include_headers=_SIGNED_HEADERS,
            linesep=b"\r\n",
        )
        return bytes(header) + raw


async def _sealing_key(tx: Transaction, domain: str) -> SecretBytes:
    secret = await tx.throttle.instance_secret(_KEY_SOURCE)
    return SecretBytes(hkdf_sha256(secret, bind(b"sealbox/v1/dkim-key", domain)))


def _aad(domain: str, selector: str) -> bytes:
    return bind(b"sealbox/v1/dkim-private-key", domain, selector)


def _new_selector() -> str:
    # Dated and unique, so the old key's DNS record can stay while the new one propagates.
    day = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d")
    return f"sb{day}-{secrets.token_hex(2)}"


def _generate() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, public_der


class DkimKeyService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def rotate(self, domain: str) -> PublishedKey:
        """Create the domain's key, or replace it under a new selector; returns what to publish."""
        name = normalize_domain(domain)
        pem, public_der = await asyncio.to_thread(_generate)
        selector = _new_selector()
        async with self._store.transaction() as tx:
            if await tx.accounts.get_domain(name) is None:
                raise DomainNotFoundError(f"this server does not host {name}")
            key = await _sealing_key(tx, name)
            await tx.dkim.put(
                DkimKeyRecord(
                    domain=name,
                    selector=selector,
                    algorithm=ALGORITHM,
                    public_key=public_der,
                    private_key_sealed=seal(key, pem, _aad(name, selector)),
                    created_at=now(),
                )
            )
        return PublishedKey(name, selector, base64.b64encode(public_der).decode())

    async def published(self, domain: str) -> PublishedKey | None:
        async with self._store.transaction() as tx:
            record = await tx.dkim.get(normalize_domain(domain))
        if record is None:
            return None
        return PublishedKey(
            record.domain, record.selector, base64.b64encode(record.public_key).decode()
        )

    async def signer(self, domain: str) -> DkimSigner | None:
        """The domain's opened key, or None when it has none yet (mail then goes unsigned)."""
        name = domain.lower()
        async with self._store.transaction() as tx:
            record = await tx.dkim.get(name)
            if record is None:
                return None
            key = await _sealing_key(tx, name)
        pem = open_sealed(key, record.private_key_sealed, _aad(name, record.selector))
        return DkimSigner(name, record.selector, SecretBytes(pem))
