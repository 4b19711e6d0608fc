"""The blob backend on an S3-compatible object store (AWS S3 API), for several nodes.

Objects are ciphertext under `PREFIX + key`; a put is a single PutObject up to
PART_SIZE and a multipart upload above it (S3 parts are at least 5 MiB), aborted when
the caller's chunks fail. S3 acknowledges a PUT only once it is durable, which is the
guarantee `BlobBackend.put` promises. The client is aiobotocore's, made on first use in
the running event loop and closed with the services.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from api.store.blobs.backend import BlobBackend, BlobMissingError, check_key
from api.store.errors import StoreError
from crypto.secret_value import SecretStr

__all__ = ["PART_SIZE", "S3BlobBackend", "S3Location", "S3UnavailableError"]

# Parts of a multipart upload; every part but the last must be at least 5 MiB.
PART_SIZE = 8 * 1024 * 1024
_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


class S3UnavailableError(StoreError):
    """The bucket cannot be reached or used; the message says which and why."""


@dataclass(frozen=True, slots=True)
class S3Location:
    """Where the objects live and how to reach them."""

    bucket: str
    prefix: str = ""
    # Empty: AWS itself. Anything else is an S3-compatible store (MinIO, Ceph, Garage...).
    endpoint_url: str = ""
    region: str = "us-east-1"
    access_key_id: str = ""
    secret_access_key: SecretStr = field(default_factory=lambda: SecretStr(""))

    @classmethod
    def parse(cls, url: str, **options: Any) -> S3Location:
        """`s3://BUCKET[/PREFIX]` and the connection options; ValueError when malformed."""
        scheme, _, rest = url.partition("://")
        bucket, _, prefix = rest.partition("/")
        if scheme != "s3" or not bucket:
            raise ValueError(f"blob_store must be empty or s3://BUCKET[/PREFIX], got {url!r}")
        prefix = prefix.strip("/")
        return cls(bucket=bucket, prefix=f"{prefix}/" if prefix else "", **options)


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class S3BlobBackend(BlobBackend):
    def __init__(self, location: S3Location) -> None:
        self.location = location
        self._client: Any = None
        self._stack = AsyncExitStack()
        self._opening = asyncio.Lock()

    def object_key(self, key: str) -> str:
        return self.location.prefix + check_key(key)

    async def _s3(self) -> Any:
        if self._client is not None:
            return self._client
        async with self._opening:
            if self._client is None:
                self._client = await self._stack.enter_async_context(self._new_client())
        return self._client

    def _new_client(self) -> Any:
        location = self.location
        custom = bool(location.endpoint_url)
        config = AioConfig(
            # S3-compatible stores commonly take only path-style URLs, and several reject
            # the flexible-checksum headers newer SDKs add; the ciphertext is AEAD-sealed,
            # so corruption is caught when it is opened either way.
            s3={"addressing_style": "path"} if custom else {},
            request_checksum_calculation="when_required" if custom else "when_supported",
            response_checksum_validation="when_required" if custom else "when_supported",
            retries={"max_attempts": 5, "mode": "standard"},
        )
        credentials = {}
        if location.access_key_id:
            credentials = {
                "aws_access_key_id": location.access_key_id,
                "aws_secret_access_key": location.secret_access_key.reveal(),
            }
        return get_session().create_client(
            "s3",
            region_name=location.region,
            endpoint_url=location.endpoint_url or None,
            config=config,
            **credentials,
        )

    async def check(self) -> None:
        """Fail at start rather than at the first delivery when the bucket is unusable."""
        try:
            await (await self._s3()).head_bucket(Bucket=self.location.bucket)
        except (ClientError, BotoCoreError, OSError) as exc:
            reason = _error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__
            raise S3UnavailableError(
                f"blob store bucket {self.location.bucket!r} is not usable ({reason})"
            ) from None

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        name = self.object_key(key)
        buffer = bytearray()
        upload: _Multipart | None = None
        try:
            async for chunk in chunks:
                buffer += chunk
                while len(buffer) >= PART_SIZE:
                    if upload is None:
                        upload = await _Multipart.start(await self._s3(), self.location, name)
                    await upload.add(bytes(buffer[:PART_SIZE]))
                    del buffer[:PART_SIZE]
            if upload is None:
                return await self.put_bytes(key, bytes(buffer))
            if buffer:
                await upload.add(bytes(buffer))
            await upload.complete()
            return upload.size
        except BaseException:
            # Cancellation included: parts of a failed put must not linger in the bucket.
            if upload is not None:
                await asyncio.shield(upload.abort())
            raise

    async def put_bytes(self, key: str, data: bytes) -> int:
        s3 = await self._s3()
        await s3.put_object(Bucket=self.location.bucket, Key=self.object_key(key), Body=data)
        return len(data)

    async def read(self, key: str, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0:
            raise ValueError("offset and length must not be negative")
        name = self.object_key(key)
        s3 = await self._s3()
        if length == 0:
            if not await self.exists(key):
                raise BlobMissingError(key)
            return b""
        try:
            response = await s3.get_object(
                Bucket=self.location.bucket, Key=name, Range=f"bytes={offset}-{offset + length - 1}"
            )
        except ClientError as exc:
            code = _error_code(exc)
            if code in _MISSING_CODES:
                raise BlobMissingError(key) from None
            if code == "InvalidRange":
                return b""  # past the end: a short read, as from a file
            raise
        async with response["Body"] as body:
            data: bytes = await body.read()
        return data

    async def read_many(self, spans: Sequence[tuple[str, int, int]]) -> list[bytes]:
        # Concurrent GETs, as many as the client's connection pool (10) takes at once.
        return list(await asyncio.gather(*(self.read(*span) for span in spans)))

    async def delete(self, key: str) -> None:
        s3 = await self._s3()
        await s3.delete_object(Bucket=self.location.bucket, Key=self.object_key(key))

    async def exists(self, key: str) -> bool:
        s3 = await self._s3()
        try:
            await s3.head_object(Bucket=self.location.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if _error_code(exc) in _MISSING_CODES:
                return False
            raise
        return True

    async def abandon_incomplete(self, idle_seconds: float) -> int:
        s3 = await self._s3()
        cutoff = time.time() - idle_seconds
        aborted = 0
        paginator = s3.get_paginator("list_multipart_uploads")
        async for page in paginator.paginate(
            Bucket=self.location.bucket, Prefix=self.location.prefix
        ):
            for upload in page.get("Uploads", []):
                if upload["Initiated"].timestamp() < cutoff:
                    await s3.abort_multipart_upload(
                        Bucket=self.location.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    aborted += 1
        return aborted

    async def settled_keys(self, idle_seconds: float) -> AsyncIterator[list[str]]:
        s3 = await self._s3()
        cutoff = time.time() - idle_seconds
        prefix = self.location.prefix
        paginator = s3.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.location.bucket, Prefix=prefix):
            keys = [
                item["Key"][len(prefix) :]
                for item in page.get("Contents", [])
                if item["LastModified"].timestamp() < cutoff
            ]
            if keys:
                yield keys

    async def close(self) -> None:
        await self._stack.aclose()
        self._client = None


class _Multipart:
    """One multipart upload in progress (S3 CreateMultipartUpload ... Complete)."""

    def __init__(self, s3: Any, location: S3Location, name: str, upload_id: str) -> None:
        self._s3 = s3
        self._bucket = location.bucket
        self._name = name
        self._id = upload_id
        self._parts: list[dict[str, Any]] = []
        self.size = 0

    @classmethod
    async def start(cls, s3: Any, location: S3Location, name: str) -> _Multipart:
        created = await s3.create_multipart_upload(Bucket=location.bucket, Key=name)
        return cls(s3, location, name, created["UploadId"])

    async def add(self, data: bytes) -> None:
        number = len(self._parts) + 1
        uploaded = await self._s3.upload_part(
            Bucket=self._bucket, Key=self._name, UploadId=self._id, PartNumber=number, Body=data
        )
        self._parts.append({"ETag": uploaded["ETag"], "PartNumber": number})
        self.size += len(data)

    async def complete(self) -> None:
        await self._s3.complete_multipart_upload(
            Bucket=self._bucket,
            Key=self._name,
            UploadId=self._id,
            MultipartUpload={"Parts": self._parts},
        )

    async def abort(self) -> None:
        await self._s3.abort_multipart_upload(
            Bucket=self._bucket, Key=self._name, UploadId=self._id
        )
