"""Uploading binary data (RFC 8620 6.1): the size and concurrency limits and the response.

The HTTP edge hands over the body as it arrives; it is counted while it streams into
the blob store, so an over-size upload is refused without ever being held whole.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager

import msgspec

from api.core.blobs import BlobService
from api.jmap.errors import LimitError
from api.jmap.limits import CoreLimits
from api.store.ids import AccountId

__all__ = ["TooManyUploadsError", "UploadResponse", "UploadTooLargeError", "Uploads"]


class UploadTooLargeError(LimitError):
    """maxSizeUpload exceeded: 413 Content Too Large (RFC 9110 15.5.14)."""

    status = 413


class TooManyUploadsError(LimitError):
    """maxConcurrentUpload exceeded: 429 Too Many Requests (RFC 6585 4)."""

    status = 429


class UploadResponse(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    account_id: str
    blob_id: str
    type: str
    size: int


class Uploads:
    def __init__(self, blobs: BlobService, limits: CoreLimits) -> None:
        self._blobs = blobs
        self._max_size = limits.max_size_upload
        self._max_concurrent = limits.max_concurrent_upload
        self._in_flight: dict[str, int] = {}

    def check_size(self, size: int) -> None:
        if size > self._max_size:
            raise UploadTooLargeError(
                "maxSizeUpload", f"an upload may be at most {self._max_size} octets"
            )

    @asynccontextmanager
    async def _slot(self, account_id: str) -> AsyncIterator[None]:
        # One event loop per node: a plain counter is race-free between awaits. Refused,
        # not queued, like maxConcurrentRequests (api.jmap.limits.RequestGate).
        current = self._in_flight.get(account_id, 0)
        if current >= self._max_concurrent:
            raise TooManyUploadsError(
                "maxConcurrentUpload", f"at most {self._max_concurrent} uploads at once"
            )
        self._in_flight[account_id] = current + 1
        try:
            yield
        finally:
            self._in_flight[account_id] -= 1
            if not self._in_flight[account_id]:
                del self._in_flight[account_id]

    async def _counted(self, body: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        size = 0
        async for chunk in body:
            size += len(chunk)
            self.check_size(size)
            yield chunk

    async def upload(
        self,
        account_id: AccountId,
        content_type: str,
        body: AsyncIterable[bytes],
        declared_size: int | None = None,
    ) -> UploadResponse:
        """Store the body as a new blob; raises UploadTooLargeError or TooManyUploadsError."""
        if declared_size is not None:
            self.check_size(declared_size)
        async with self._slot(account_id):
            record = await self._blobs.upload(account_id, self._counted(body))
        return UploadResponse(
            account_id=account_id, blob_id=record.id, type=content_type, size=record.size
        )
