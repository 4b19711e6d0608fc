"""A private S3-compatible store on loopback for the object-store backend's tests.

MinIO, Ceph and Garage are not in Debian; moto's server is an HTTP server that speaks
the S3 REST API (SigV4, multipart uploads, Range GETs), so the backend is exercised
over real sockets through the same SDK calls it makes against AWS or MinIO.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiobotocore.session import get_session

from support.environment import free_port

__all__ = ["S3Store", "s3_store"]

ACCESS_KEY_ID = "sealbox-test"
# A credential of this throwaway local server, not a secret of anyone's.
SECRET_ACCESS_KEY = "sealbox-test-secret"


@dataclass(frozen=True, slots=True)
class S3Store:
    endpoint_url: str
    bucket: str
    secret_file: Path

    def settings(self, prefix: str = "") -> dict[str, str]:
        """Sealbox settings that put blobs in this store."""
        return {
            "blob_store": f"s3://{self.bucket}/{prefix}".rstrip("/"),
            "s3_endpoint_url": self.endpoint_url,
            "s3_access_key_id": ACCESS_KEY_ID,
            "s3_secret_access_key_file": str(self.secret_file),
        }

    def client(self):  # type: ignore[no-untyped-def]
        return get_session().create_client(
            "s3",
            region_name="us-east-1",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )

    async def keys(self) -> list[str]:
        async with self.client() as s3:
            listed = await s3.list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))


async def _wait_for(port: int, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise RuntimeError("moto_server did not start listening within 30 s")


@asynccontextmanager
async def s3_store(directory: Path, bucket: str = "sealbox-blobs") -> AsyncIterator[S3Store]:
    """Start an S3 server on a free loopback port with `bucket` made; stop it afterwards."""
    port = free_port()
    server = Path(sys.executable).with_name("moto_server")
    process = await asyncio.create_subprocess_exec(
        str(server),
        *("-H", "127.0.0.1", "-p", str(port)),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await _wait_for(port, process)
        secret_file = directory / "s3-secret"
        secret_file.write_text(SECRET_ACCESS_KEY, encoding="utf-8")
        store = S3Store(f"http://127.0.0.1:{port}", bucket, secret_file)
        async with store.client() as s3:
            await s3.create_bucket(Bucket=bucket)
        yield store
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)
