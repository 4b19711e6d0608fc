"""A software WebAuthn authenticator (ES256, attestation "none") with the PRF extension
emulated as CTAP2 hmac-secret does it: HMAC-SHA256(credential secret, SHA-256("WebAuthn
PRF" || 0x00 || salt)). Enough to drive the server's ceremonies over real HTTPS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["SoftAuthenticator", "b64url", "from_b64url"]

_UP, _UV, _AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftCredential:
    credential_id: bytes
    rp_id: str
    user_handle: bytes
    key: ec.EllipticCurvePrivateKey
    prf_secret: bytes
    sign_count: int = 0

    def prf(self, salt: bytes) -> bytes:
        return hmac.new(
            self.prf_secret, hashlib.sha256(b"WebAuthn PRF\x00" + salt).digest(), hashlib.sha256
        ).digest()

    def cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )


@dataclass
class SoftAuthenticator:
    """`count_step` 0 models the many passkeys whose counter stays 0."""

    origin: str
    count_step: int = 1
    credentials: list[SoftCredential] = field(default_factory=list)

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        ).encode()

    def create(
        self, options: dict[str, Any], *, prf: bool = True
    ) -> tuple[dict[str, Any], str | None]:
        """navigator.credentials.create(): the RegistrationResponseJSON and the PRF output."""
        rp_id = options["rp"]["id"]
        cred = SoftCredential(
            credential_id=secrets.token_bytes(32),
            rp_id=rp_id,
            user_handle=from_b64url(options["user"]["id"]),
            key=ec.generate_private_key(ec.SECP256R1()),
            prf_secret=secrets.token_bytes(32),
        )
        self.credentials.append(cred)
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([_UP | _UV | _AT])
            + struct.pack(">I", cred.sign_count)
            + bytes(16)
            + struct.pack(">H", len(cred.credential_id))
            + cred.credential_id
            + cred.cose_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        credential = {
            "id": b64url(cred.credential_id),
            "rawId": b64url(cred.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(
                    self._client_data("webauthn.create", options["challenge"])
                ),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        }
        return credential, self._prf(cred, options) if prf else None

    def get(
        self, options: dict[str, Any], credential: SoftCredential | None = None, *, prf: bool = True
    ) -> tuple[dict[str, Any], str | None]:
        """navigator.credentials.get(): the AuthenticationResponseJSON and the PRF output."""
        cred = credential or self.credentials[-1]
        cred.sign_count += self.count_step
        client_data = self._client_data("webauthn.get", options["challenge"])
        auth_data = (
            hashlib.sha256(cred.rp_id.encode()).digest()
            + bytes([_UP | _UV])
            + struct.pack(">I", cred.sign_count)
        )
        signature = cred.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        response = {
            "id": b64url(cred.credential_id),
            "rawId": b64url(cred.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(cred.user_handle),
            },
            "clientExtensionResults": {},
        }
        return response, self._prf(cred, options) if prf else None

    @staticmethod
    def _prf(cred: SoftCredential, options: dict[str, Any]) -> str | None:
        salt = options.get("extensions", {}).get("prf", {}).get("eval", {}).get("first")
        return None if salt is None else b64url(cred.prf(from_b64url(salt)))
