"""The blob backend interface: opaque ciphertext objects under keys, read by byte range.

Shaped like S3 (PUT an object, GET with a Range, DELETE, HEAD) so an object-store
backend can replace the filesystem one without touching callers. A backend only ever
sees ciphertext: encryption happens above it, in api.core.blobs.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from typing import Protocol

__all__ = ["BlobBackend", "BlobMissingError", "ProcessWriter", "check_key"]

# Keys are ids the server made; anything else (a "/" or "..") is a bug, never a path.
_KEY = re.compile(r"[a-z0-9]{4,64}")


class BlobMissingError(Exception):
    """The object does not exist (S3 NoSuchKey)."""


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError(f"invalid blob key {key!r}")
    return key


class ProcessWriter(Protocol):
    """Picklable: puts objects from another process of this machine (an MX worker), with
    the same durability as the backend's own put."""

    def put_blocking(self, key: str, data: bytes) -> int: ...


class BlobBackend(ABC):
    """Stores immutable objects; every method is safe to call concurrently."""

    @abstractmethod
    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        """Store the object durably and return its size.

        When this returns, the object survives a crash; if ``chunks`` raises, nothing is
        left behind and the error propagates. Writing an existing key replaces it whole.
        """

    async def put_bytes(self, key: str, data: bytes) -> int:
        """`put` of an object already whole in memory; backends may do it in one step."""

        async def one() -> AsyncIterator[bytes]:
            yield data

        return await self.put(key, one())

    @abstractmethod
    async def read(self, key: str, offset: int, length: int) -> bytes:
        """Return up to ``length`` bytes from ``offset`` (short at the end, like a Range GET)."""

    async def read_many(self, spans: Sequence[tuple[str, int, int]]) -> list[bytes]:
        """`read` of many (key, offset, length), in order; a backend may do them at once."""
        return [await self.read(key, offset, length) for key, offset, length in spans]

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error (as in S3)."""

    @abstractmethod
    async def exists(self, key: str) -> bool: ...

    @abstractmethod
    async def abandon_incomplete(self, idle_seconds: float) -> int:
        """Remove puts a crash left unfinished, idle for ``idle_seconds``; returns how many.

        (S3: abort stale multipart uploads.) Only ciphertext is ever in them.
        """

    @abstractmethod
    def settled_keys(self, idle_seconds: float) -> AsyncIterator[list[str]]:
        """Every stored key last written at least ``idle_seconds`` ago, in batches: the
        candidates of the orphan sweep (a put still in progress is never among them)."""

    def process_writer(self) -> ProcessWriter | None:
        """A writer for worker processes, or None where only this process can put."""
        return None

    async def check(self) -> None:  # noqa: B027 (optional: most backends have nothing to check)
        """Raise StoreError when the backend cannot be used (called when a node starts)."""

    async def close(self) -> None:  # noqa: B027 (optional: most backends hold no connections)
        """Release connections; the backend is not used afterwards."""
