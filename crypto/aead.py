"""Versioned AES-256-GCM blobs (NIST SP 800-38D): ``0x01 || 12-byte nonce || ciphertext+tag``.

Nonces are random; with 96-bit nonces one key may seal about 2**32 blobs before the
collision risk matters (SP 800-38D section 8.3), far beyond what one MK subkey or slot
key ever seals. The version byte is checked but not authenticated: any other value is
refused, so flipping it can only cause an error.
"""

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crypto.errors import DecryptionError, FormatError
from crypto.secret_value import SecretBytes

__all__ = [
    "KEY_SIZE",
    "NONCE_SIZE",
    "OVERHEAD",
    "TAG_SIZE",
    "VERSION",
    "aes256gcm",
    "open_sealed",
    "seal",
]

VERSION = 0x01
KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
OVERHEAD = 1 + NONCE_SIZE + TAG_SIZE


def aes256gcm(key: SecretBytes) -> AESGCM:
    """Return an AES-256-GCM cipher, refusing keys of any other size (AES-128 by accident)."""
    if len(key) != KEY_SIZE:
        raise ValueError(f"AES-256-GCM needs a {KEY_SIZE}-byte key, got {len(key)} bytes")
    return AESGCM(key.reveal())


def seal(key: SecretBytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext``, binding it to ``aad``."""
    nonce = secrets.token_bytes(NONCE_SIZE)
    return bytes([VERSION]) + nonce + aes256gcm(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: SecretBytes, blob: bytes, aad: bytes) -> bytes:
    """Decrypt a blob made by ``seal``; FormatError if malformed, DecryptionError if forged."""
    cipher = aes256gcm(key)
    if len(blob) < OVERHEAD:
        raise FormatError(f"sealed blob too short: {len(blob)} bytes, need at least {OVERHEAD}")
    if blob[0] != VERSION:
        raise FormatError(f"unknown sealed blob version {blob[0]}")
    nonce = blob[1 : 1 + NONCE_SIZE]
    try:
        return cipher.decrypt(nonce, blob[1 + NONCE_SIZE :], aad)
    except InvalidTag:
        raise DecryptionError from None
