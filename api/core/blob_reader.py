"""Reading one decrypted blob by plaintext range (RFC 8620 6.2 downloads, IMAP partial FETCH).

Each read fetches only the ciphertext it needs (the chunks covering the range and the
final chunk, which authenticates the total size) and decrypts it off the event loop with
crypto.stream.decrypt_range, so a 50 MB blob is served a piece at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from api.store.blobs.backend import BlobBackend
from api.store.blobs.repository import BlobRecord
from crypto.aead import TAG_SIZE
from crypto.labels import bind
from crypto.secret_value import SecretBytes
from crypto.stream import HEADER_SIZE, decrypt_range, read_header
from crypto.stream_format import chunk_count

__all__ = ["PIECE_CHUNKS", "OpenBlob", "blob_aad"]

# Chunks decrypted per piece of a streamed read: 16 x 64 KiB = 1 MiB in memory at a time.
PIECE_CHUNKS = 16


def blob_aad(account_id: str, blob_id: str) -> bytes:
    """STREAM associated data: a blob's ciphertext cannot pass for another blob's."""
    return bind(b"sealbox/v1/blob", account_id, blob_id)


class OpenBlob:
    """A blob whose data key is open; holds the key, so it lives for one request only."""

    def __init__(
        self, record: BlobRecord, data_key: SecretBytes, backend: BlobBackend, header: bytes
    ) -> None:
        self.record = record
        self._key = data_key
        self._backend = backend
        self._header = header
        self.chunk_size = read_header(header).chunk_size

    def __repr__(self) -> str:
        return f"OpenBlob({self.record.id}, size={self.record.size}, <key redacted>)"

    @property
    def size(self) -> int:
        return self.record.size

    async def read(self, start: int = 0, length: int | None = None) -> bytes:
        """Plaintext ``[start, start + length)``, clamped to the end like a slice."""
        end = self.size if length is None else min(self.size, start + length)
        if start < 0 or end < start:
            raise ValueError("start and length must not be negative")
        total = self.record.stored_size
        sealed = self.chunk_size + TAG_SIZE
        count = chunk_count(total, self.chunk_size)
        first = start // self.chunk_size
        last = max(first, (end - 1) // self.chunk_size) if end > start else first
        spans = {0: self._header}
        # The covering chunks in one read; the final chunk (often the same) in another.
        offset = HEADER_SIZE + first * sealed
        spans[offset] = await self._backend.read(
            self.record.id, offset, (last - first + 1) * sealed
        )
        final = HEADER_SIZE + (count - 1) * sealed
        if final not in spans:
            spans[final] = await self._backend.read(self.record.id, final, total - final)

        def read_at(at: int, size: int) -> bytes:
            for origin, data in spans.items():
                if origin <= at < origin + len(data) or (origin == at and not data):
                    return data[at - origin : at - origin + size]
            return b""  # decrypt_range turns a short read into DecryptionError

        aad = blob_aad(self.record.account_id, self.record.id)
        return await asyncio.to_thread(
            decrypt_range, self._key, read_at, total, aad, start, end - start
        )

    async def stream(self, start: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
        """The range in pieces of PIECE_CHUNKS chunks, each authenticated before it is yielded."""
        end = self.size if length is None else min(self.size, start + length)
        piece = self.chunk_size * PIECE_CHUNKS
        position = start
        while position < end:
            # Align pieces after the first to chunk boundaries: no chunk is opened twice.
            stop = min(end, (position // piece + 1) * piece)
            yield await self.read(position, stop - position)
            position = stop
