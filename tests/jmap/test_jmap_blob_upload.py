"""Upload limits (RFC 8620 6.1, 2 maxSizeUpload / maxConcurrentUpload) without HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from support.services import create_account

from api.jmap.blob_upload import TooManyUploadsError, Uploads, UploadTooLargeError
from api.jmap.limits import CoreLimits
from api.services import Services


async def _body(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_a_second_concurrent_upload_is_429(services: Services) -> None:
    account = (await create_account(services)).account
    uploads = Uploads(services.blobs, CoreLimits(max_concurrent_upload=1))
    release = asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        yield b"first"
        await release.wait()

    first = asyncio.create_task(uploads.upload(account.id, "text/plain", slow()))
    await asyncio.sleep(0.05)
    with pytest.raises(TooManyUploadsError) as refused:
        await uploads.upload(account.id, "text/plain", _body(b"second"))
    assert refused.value.problem().limit == "maxConcurrentUpload"
    assert refused.value.status == 429
    release.set()
    assert (await first).size == 5
    # The slot is free again once the first upload is done.
    assert (await uploads.upload(account.id, "text/plain", _body(b"third"))).size == 5


async def test_size_limit_declared_and_streamed(services: Services) -> None:
    account = (await create_account(services)).account
    uploads = Uploads(services.blobs, CoreLimits(max_size_upload=10))
    with pytest.raises(UploadTooLargeError):
        await uploads.upload(account.id, "x/y", _body(b"a"), declared_size=11)
    with pytest.raises(UploadTooLargeError) as refused:
        await uploads.upload(account.id, "x/y", _body(b"123456", b"78901"))
    assert refused.value.status == 413
    assert refused.value.problem().limit == "maxSizeUpload"
    assert (await uploads.upload(account.id, "x/y", _body(b"1234567890"))).size == 10
