"""Where an import from another provider got to, per source folder, sealed at rest.

A folder's position is its UIDVALIDITY (RFC 9051 2.3.1.1) and the highest UID copied:
while UIDVALIDITY holds, UIDs at or below it were copied already. The row key is a
keyed hash of (source, folder) and the position is AES-GCM sealed, both under the MK
imports subkey, so the database holds no provider, folder name or message count.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

from api.core.clock import now
from api.core.unlocked import UnlockedAccount
from api.store.unit_of_work import Store
from crypto.aead import open_sealed, seal
from crypto.labels import bind
from crypto.master_key import SUBKEY_IMPORTS
from crypto.secret_value import SecretBytes

__all__ = ["FolderPosition", "ImportProgress"]

_POSITION = struct.Struct(">QQ")


@dataclass(frozen=True, slots=True)
class FolderPosition:
    uid_validity: int
    last_uid: int


class ImportProgress:
    """Positions of one unlocked account's imports from one source (`imap://user@host:port`)."""

    def __init__(self, store: Store, unlocked: UnlockedAccount, source: str) -> None:
        self._store = store
        self._account_id = unlocked.account_id
        self._source = source
        self._key = unlocked.master_key.subkey(SUBKEY_IMPORTS)
        # A separate key for the lookup hash: one key, one algorithm.
        self._hash_key = SecretBytes(
            hmac.digest(self._key.reveal(), b"sealbox/v1/import-source-hash", hashlib.sha256)
        )

    def _row_key(self, folder: str) -> bytes:
        message = bind(b"sealbox/v1/import-source", self._source, folder)
        return hmac.digest(self._hash_key.reveal(), message, hashlib.sha256)

    def _aad(self, row_key: bytes) -> bytes:
        return bind(b"sealbox/v1/import-position", self._account_id, row_key.hex())

    async def get(self, folder: str) -> FolderPosition | None:
        row_key = self._row_key(folder)
        async with self._store.transaction() as tx:
            sealed = await tx.imports.get(self._account_id, row_key)
        if sealed is None:
            return None
        uid_validity, last_uid = _POSITION.unpack(
            open_sealed(self._key, sealed, self._aad(row_key))
        )
        return FolderPosition(uid_validity, last_uid)

    async def save(self, folder: str, position: FolderPosition) -> None:
        row_key = self._row_key(folder)
        plaintext = _POSITION.pack(position.uid_validity, position.last_uid)
        sealed = seal(self._key, plaintext, self._aad(row_key))
        async with self._store.transaction() as tx:
            await tx.imports.put(self._account_id, row_key, sealed, now())
