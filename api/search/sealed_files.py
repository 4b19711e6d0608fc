"""Sealing index files for the database: AES-256-GCM under the MK search subkey, with the
account and the file name as associated data, so no file can be swapped for another's."""

from __future__ import annotations

from api.store.ids import AccountId
from crypto.aead import open_sealed, seal
from crypto.labels import bind
from crypto.secret_value import SecretBytes

__all__ = ["open_file", "seal_file"]

_LABEL = b"sealbox/v1/search-file"


def seal_file(key: SecretBytes, account_id: AccountId, name: str, content: bytes) -> bytes:
    return seal(key, content, bind(_LABEL, account_id, name))


def open_file(key: SecretBytes, account_id: AccountId, name: str, sealed: bytes) -> bytes:
    """DecryptionError if the row was altered, or sealed for another name or account."""
    return open_sealed(key, sealed, bind(_LABEL, account_id, name))
