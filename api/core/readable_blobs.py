"""Many blobs of one account read together (RFC 8620 6.2's content, for IMAP FETCH of
many bodies, RFC 9051 6.4.5): rows known up front, ciphertext read in one backend call
per batch, data keys opened with the private key loaded once, plaintext decrypted in one
thread hop per batch (or on the loop when small)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence

from api.core.blob_reader import blob_aad
from api.core.errors import BlobNotFoundError
from api.core.unlocked import UnlockedAccount
from api.store.blobs.backend import BlobBackend
from api.store.blobs.repository import BlobRecord
from crypto.errors import DecryptionError
from crypto.sealing import open_data_keys
from crypto.secret_value import SecretBytes
from crypto.stream import decrypt_bytes

__all__ = ["BATCH_OCTETS", "INLINE_DECRYPT_BYTES", "ReadableBlobs"]

# Ciphertext up to this size is decrypted on the event loop: AES-GCM opens 256 KiB in
# about 0.1 ms, less than asyncio.to_thread's own cost (~0.05-0.1 ms) plus the wait.
INLINE_DECRYPT_BYTES = 256 * 1024
# At most this much plaintext per batch: a FETCH of 1:* BODY[] never holds the mailbox.
BATCH_OCTETS = 4 * 1024 * 1024


def _decrypt(
    private_key: SecretBytes, records: Sequence[BlobRecord], sealed: Sequence[bytes]
) -> list[bytes]:
    keys = open_data_keys(private_key, [(r.sealed_data_key, r.account_id, r.id) for r in records])
    plain = []
    for record, key, data in zip(records, keys, sealed, strict=True):
        if len(data) != record.stored_size:
            raise DecryptionError("blob ciphertext is shorter than its row says")
        plain.append(decrypt_bytes(key, data, blob_aad(record.account_id, record.id)))
    return plain


class ReadableBlobs:
    """Blob rows read together; `read_many` gives their plaintexts (BlobNotFoundError for
    an id that was not found)."""

    def __init__(
        self,
        backend: BlobBackend,
        unlocked: UnlockedAccount,
        records: dict[str, BlobRecord],
        wrapped: bytes | None,
    ) -> None:
        self._backend = backend
        self._unlocked = unlocked
        self._records = records
        self._wrapped = wrapped

    def batches(self, blob_ids: Sequence[str]) -> Iterator[Sequence[str]]:
        """`blob_ids` cut in order into runs of at most BATCH_OCTETS (or one blob)."""
        start, size = 0, 0
        for index, blob_id in enumerate(blob_ids):
            record = self._records.get(blob_id)
            octets = record.size if record is not None else 0
            if index > start and size + octets > BATCH_OCTETS:
                yield blob_ids[start:index]
                start, size = index, 0
            size += octets
        if start < len(blob_ids):
            yield blob_ids[start:]

    async def read_many(self, blob_ids: Sequence[str]) -> list[bytes]:
        """The plaintexts of `blob_ids`, in order (a blob named twice is read once)."""
        unique = list(dict.fromkeys(blob_ids))
        records = []
        for blob_id in unique:
            record = self._records.get(blob_id)
            if record is None:
                raise BlobNotFoundError()
            records.append(record)
        sealed = await self._backend.read_many([(r.id, 0, r.stored_size) for r in records])
        try:
            private_key = self._unlocked.private_key(self._wrapped)
        except KeyError:  # the account's row went away with its wrapped key
            raise BlobNotFoundError() from None
        if sum(r.stored_size for r in records) <= INLINE_DECRYPT_BYTES:
            plain = _decrypt(private_key, records, sealed)
        else:
            plain = await asyncio.to_thread(_decrypt, private_key, records, sealed)
        by_id = dict(zip(unique, plain, strict=True))
        return [by_id[blob_id] for blob_id in blob_ids]
