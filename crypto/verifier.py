"""The login verifier the server stores in place of a password: a hash of the ``auth`` key.

``auth_key`` is already the output of Argon2id and HKDF (256 bits, see ``crypto.kdf``), so
guessing it is as hard as guessing a random key: a single fast SHA-256 is a sound verifier
and repeating Argon2 here would add cost without adding security. A stolen verifier does
not reveal ``auth_key`` and cannot unwrap MK, which is under the independent ``kek``.
"""

import hashlib
import hmac

from crypto.secret_value import SecretBytes

__all__ = ["VERIFIER_LABEL", "check_verifier", "make_verifier"]

VERIFIER_LABEL = b"sealbox/v1/verifier\x00"


def make_verifier(auth_key: SecretBytes) -> bytes:
    """Return SHA-256("sealbox/v1/verifier" || 0x00 || auth_key), the value to store."""
    return hashlib.sha256(VERIFIER_LABEL + auth_key.reveal()).digest()


def check_verifier(auth_key: SecretBytes, stored: bytes) -> bool:
    """Return whether ``auth_key`` matches the stored verifier, in constant time."""
    return hmac.compare_digest(make_verifier(auth_key), stored)
