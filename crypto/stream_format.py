"""The layout of an encrypted stream (STREAM, Hoang-Reyhanitabar-Rogaway-Vizar, CRYPTO 2015).

::

    header  = 0x01 || chunk_size (4 bytes BE) || nonce prefix (7 random bytes)
    chunk i = AES-256-GCM(key, nonce = prefix || i (4 bytes BE) || last flag, ad = header || aad)

Every chunk but the final one holds exactly ``chunk_size`` plaintext bytes; the final one
(last flag 0x01) holds 0 to ``chunk_size`` bytes, and empty plaintext is one empty final
chunk. Fixed sizes put plaintext byte n in a computable chunk at a computable offset.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from crypto.aead import TAG_SIZE
from crypto.errors import FormatError

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "HEADER_SIZE",
    "MAX_CHUNK_SIZE",
    "PREFIX_SIZE",
    "VERSION",
    "StreamHeader",
    "chunk_count",
    "plaintext_size",
    "read_header",
    "split_blocks",
]

VERSION = 0x01
HEADER_SIZE = 12
PREFIX_SIZE = 7
DEFAULT_CHUNK_SIZE = 65536
# Bounds what a forged header can make a reader allocate per chunk.
MAX_CHUNK_SIZE = 1 << 24
_MAX_CHUNKS = 1 << 32


@dataclass(frozen=True)
class StreamHeader:
    """The parsed 12-byte stream header; nothing in it is secret."""

    chunk_size: int
    nonce_prefix: bytes

    def __post_init__(self) -> None:
        if not 1 <= self.chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk_size must be between 1 and {MAX_CHUNK_SIZE}")
        if len(self.nonce_prefix) != PREFIX_SIZE:
            raise ValueError(f"nonce prefix must be {PREFIX_SIZE} bytes")

    def to_bytes(self) -> bytes:
        """Return the header as it is stored, at the start of the stream."""
        return bytes([VERSION]) + self.chunk_size.to_bytes(4, "big") + self.nonce_prefix

    def nonce(self, index: int, last: bool) -> bytes:
        """Return the 12-byte GCM nonce of chunk ``index``."""
        if index >= _MAX_CHUNKS:
            raise ValueError("stream exceeds 2**32 chunks")
        return self.nonce_prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def read_header(first_bytes: bytes) -> StreamHeader:
    """Parse the header from the first 12 (or more) bytes of a stream."""
    if len(first_bytes) < HEADER_SIZE:
        raise FormatError(f"stream header needs {HEADER_SIZE} bytes, got {len(first_bytes)}")
    if first_bytes[0] != VERSION:
        raise FormatError(f"unknown stream version {first_bytes[0]}")
    chunk_size = int.from_bytes(first_bytes[1:5], "big")
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise FormatError(f"stream chunk size {chunk_size} out of range")
    return StreamHeader(chunk_size, bytes(first_bytes[5:HEADER_SIZE]))


def split_blocks(pieces: Iterable[bytes | memoryview], size: int) -> Iterator[tuple[bytes, bool]]:
    """Re-cut pieces into ``(block, is_final)``; only the final block may be short or empty."""
    pending = b""
    for piece in pieces:
        view = memoryview(piece)
        if pending:
            fill = size - len(pending)
            pending += bytes(view[:fill])
            view = view[fill:]
            if not view:
                continue  # a full block, but it may yet turn out to be the final one
            yield pending, False
        offset = 0
        while len(view) - offset > size:
            yield bytes(view[offset : offset + size]), False
            offset += size
        pending = bytes(view[offset:])
    yield pending, True


def chunk_count(total_size: int, chunk_size: int) -> int:
    """Return how many chunks a stream of ``total_size`` bytes (header included) holds."""
    body = total_size - HEADER_SIZE
    sealed = chunk_size + TAG_SIZE
    count = max(1, -(-body // sealed))
    if body < TAG_SIZE or body - (count - 1) * sealed < TAG_SIZE:
        raise FormatError(f"{total_size} bytes is not a valid size for chunk size {chunk_size}")
    return count


def plaintext_size(total_size: int, chunk_size: int) -> int:
    """Return the plaintext length of a stream of ``total_size`` bytes (header included)."""
    return total_size - HEADER_SIZE - chunk_count(total_size, chunk_size) * TAG_SIZE
