"""Operator escrow: MK sealed (HPKE) to an offline X25519 key, for managed domains only."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from api.core.errors import RecoveryUnavailableError
from api.store.ids import AccountId
from crypto.labels import bind
from crypto.master_key import MasterKey
from crypto.sealing import open_with_private_key, seal_to_public_key
from crypto.secret_value import SecretBytes

__all__ = ["load_escrow_private_key", "load_escrow_public_key", "open_escrow", "seal_escrow"]


def _info(account_id: AccountId) -> bytes:
    return bind(b"sealbox/v1/escrow", account_id)


def load_escrow_public_key(path: str) -> bytes:
    if not path:
        raise RecoveryUnavailableError(
            "escrow recovery needs `escrow_public_key` (a PEM X25519 public key) in the config"
        )
    try:
        key = load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise RecoveryUnavailableError(f"cannot read the escrow public key at {path}") from exc
    if not isinstance(key, X25519PublicKey):
        raise RecoveryUnavailableError("the escrow public key must be an X25519 key")
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def load_escrow_private_key(path: str) -> SecretBytes:
    try:
        key = load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise RecoveryUnavailableError(f"cannot read an escrow private key at {path}") from exc
    if not isinstance(key, X25519PrivateKey):
        raise RecoveryUnavailableError("the escrow private key must be an X25519 key")
    return SecretBytes(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))


def seal_escrow(public_key: bytes, master_key: MasterKey, account_id: AccountId) -> bytes:
    return seal_to_public_key(public_key, master_key.reveal(), info=_info(account_id))


def open_escrow(private_key: SecretBytes, sealed: bytes, account_id: AccountId) -> MasterKey:
    return MasterKey(open_with_private_key(private_key, sealed, info=_info(account_id)))
