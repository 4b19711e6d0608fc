"""Sealing to an account's public key with HPKE base mode (RFC 9180 section 6.1).

Suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM. A sealed value is
``0x01 || enc (32 bytes) || ciphertext+tag``; the version byte leaves room to move to a
post-quantum KEM later without guessing formats. The context goes into HPKE's ``info``,
so a data key sealed for one message cannot be replayed as another message's key.
"""

import secrets
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from crypto.errors import DecryptionError, FormatError
from crypto.labels import bind
from crypto.secret_value import SecretBytes

__all__ = [
    "DATA_KEY_SIZE",
    "SEALED_DATA_KEY_SIZE",
    "VERSION",
    "data_key_info",
    "new_data_key",
    "open_data_key",
    "open_data_keys",
    "open_with_private_key",
    "seal_data_key",
    "seal_to_public_key",
]

VERSION = 0x01
DATA_KEY_SIZE = 32
_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
_ENC_SIZE = 32
_TAG_SIZE = 16
_MIN_SIZE = 1 + _ENC_SIZE + _TAG_SIZE
# What seal_data_key returns is always this long.
SEALED_DATA_KEY_SIZE = _MIN_SIZE + DATA_KEY_SIZE
_DATA_KEY_LABEL = b"sealbox/v1/data-key"


def new_data_key() -> SecretBytes:
    """Return a fresh random 32-byte data key for one message."""
    return SecretBytes(secrets.token_bytes(DATA_KEY_SIZE))


def seal_to_public_key(public_key: bytes, plaintext: bytes, *, info: bytes) -> bytes:
    """Encrypt ``plaintext`` so that only the holder of the private key can open it."""
    try:
        recipient = X25519PublicKey.from_public_bytes(public_key)
    except ValueError:
        raise FormatError("an X25519 public key is 32 bytes") from None
    return bytes([VERSION]) + _SUITE.encrypt(plaintext, recipient, info=info)


def _recipient(private_key: SecretBytes) -> X25519PrivateKey:
    if len(private_key) != _ENC_SIZE:
        raise ValueError("an X25519 private key is 32 bytes")
    return X25519PrivateKey.from_private_bytes(private_key.reveal())


def open_with_private_key(private_key: SecretBytes, sealed: bytes, *, info: bytes) -> bytes:
    """Decrypt a value from ``seal_to_public_key``; DecryptionError if key or info differ."""
    return _open(_recipient(private_key), sealed, info)


def _open(recipient: X25519PrivateKey, sealed: bytes, info: bytes) -> bytes:
    if len(sealed) < _MIN_SIZE:
        raise FormatError(f"sealed value too short: {len(sealed)} bytes, need {_MIN_SIZE}")
    if sealed[0] != VERSION:
        raise FormatError(f"unknown sealed value version {sealed[0]}")
    try:
        return _SUITE.decrypt(sealed[1:], recipient, info=info)
    except InvalidTag:
        raise DecryptionError from None


def data_key_info(*, account_id: str, object_id: str) -> bytes:
    """Return the HPKE info binding a data key to its account and stored object."""
    return bind(_DATA_KEY_LABEL, account_id, object_id)


def seal_data_key(
    public_key: bytes, data_key: SecretBytes, *, account_id: str, object_id: str
) -> bytes:
    """Seal one object's data key to the account's public key."""
    if len(data_key) != DATA_KEY_SIZE:
        raise ValueError(f"a data key is {DATA_KEY_SIZE} bytes")
    info = data_key_info(account_id=account_id, object_id=object_id)
    return seal_to_public_key(public_key, data_key.reveal(), info=info)


def open_data_key(
    private_key: SecretBytes, sealed: bytes, *, account_id: str, object_id: str
) -> SecretBytes:
    """Open one object's data key; DecryptionError if sealed for another account or object."""
    [data_key] = open_data_keys(private_key, [(sealed, account_id, object_id)])
    return data_key


def open_data_keys(
    private_key: SecretBytes, sealed: Sequence[tuple[bytes, str, str]]
) -> list[SecretBytes]:
    """`open_data_key` of many (sealed, account id, object id), in order. The private key
    is loaded once: loading it costs about as much as one HPKE open."""
    recipient = _recipient(private_key)
    opened = []
    for value, account_id, object_id in sealed:
        info = data_key_info(account_id=account_id, object_id=object_id)
        plaintext = _open(recipient, value, info)
        if len(plaintext) != DATA_KEY_SIZE:
            raise FormatError("sealed value is not a data key")
        opened.append(SecretBytes(plaintext))
    return opened
