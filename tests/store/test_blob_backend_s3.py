"""The S3 blob backend against a real S3-protocol server on loopback: byte ranges,
multipart puts, failed and cancelled puts leaving nothing, stale uploads aborted, and
two nodes (PostgreSQL + the shared bucket) reading each other's mail."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.jmap_client import make_client
from support.s3_store import S3Store, s3_store
from support.services import ServicesFactory

from api.core.ingest import IncomingEmail
from api.store.blobs.backend import BlobMissingError
from api.store.blobs.s3 import PART_SIZE, S3BlobBackend, S3Location, S3UnavailableError
from crypto.secret_value import SecretStr


@pytest.fixture(scope="module")
async def store(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[S3Store]:
    async with s3_store(tmp_path_factory.mktemp("s3")) as running:
        yield running


def _location(store: S3Store, prefix: str = "node/", bucket: str = "") -> S3Location:
    return S3Location(
        bucket=bucket or store.bucket,
        prefix=prefix,
        endpoint_url=store.endpoint_url,
        access_key_id="sealbox-test",
        secret_access_key=SecretStr(store.secret_file.read_text()),
    )


@pytest.fixture
async def backend(store: S3Store) -> AsyncIterator[S3BlobBackend]:
    made = S3BlobBackend(_location(store))
    yield made
    await made.close()


async def _pieces(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_put_then_read_ranges(backend: S3BlobBackend, store: S3Store) -> None:
    data = bytes(range(256)) * 40
    assert await backend.put("bkey0001", _pieces(data[:100], data[100:])) == len(data)
    assert await backend.exists("bkey0001")
    assert await backend.read("bkey0001", 0, len(data)) == data
    assert await backend.read("bkey0001", 1000, 24) == data[1000:1024]
    assert await backend.read("bkey0001", len(data) - 3, 100) == data[-3:]
    assert await backend.read("bkey0001", len(data) + 5, 10) == b""
    assert await backend.read("bkey0001", 7, 0) == b""
    assert "node/bkey0001" in await store.keys()


async def test_many_reads_come_back_in_order(backend: S3BlobBackend) -> None:
    for n in range(12):
        await backend.put_bytes(f"bmany{n:03}", bytes([n]) * (100 + n))
    spans = [(f"bmany{n:03}", n, 5) for n in reversed(range(12))]
    assert await backend.read_many(spans) == [bytes([n]) * 5 for n in reversed(range(12))]
    with pytest.raises(BlobMissingError):
        await backend.read_many([("bmany000", 0, 1), ("bnothere", 0, 1)])


async def test_delete_and_missing(backend: S3BlobBackend) -> None:
    await backend.put_bytes("bkey0002", b"x")
    await backend.delete("bkey0002")
    await backend.delete("bkey0002")  # idempotent
    assert not await backend.exists("bkey0002")
    for length in (1, 0):
        with pytest.raises(BlobMissingError):
            await backend.read("bkey0002", 0, length)


@pytest.mark.parametrize("key", ["../etc", "a/b/cdef", "BIG0", "ab", ""])
async def test_keys_that_could_name_other_objects_are_refused(
    backend: S3BlobBackend, key: str
) -> None:
    with pytest.raises(ValueError, match="invalid blob key"):
        await backend.put(key, _pieces(b"x"))


async def test_a_large_put_goes_in_parts_and_reads_back(backend: S3BlobBackend) -> None:
    data = os.urandom(PART_SIZE * 2 + 12345)
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    assert await backend.put("bkey0003", _pieces(*chunks)) == len(data)
    assert (
        await backend.read("bkey0003", PART_SIZE - 10, 20) == data[PART_SIZE - 10 : PART_SIZE + 10]
    )
    assert await backend.read("bkey0003", 0, len(data)) == data


async def test_a_failed_large_put_leaves_no_object_and_no_upload(
    backend: S3BlobBackend, store: S3Store
) -> None:
    async def failing() -> AsyncIterator[bytes]:
        yield os.urandom(PART_SIZE + 1)  # one part already uploaded
        raise RuntimeError("client went away")

    with pytest.raises(RuntimeError, match="went away"):
        await backend.put("bkey0004", failing())
    assert not await backend.exists("bkey0004")
    async with store.client() as s3:
        uploads = await s3.list_multipart_uploads(Bucket=store.bucket, Prefix="node/bkey0004")
    assert uploads.get("Uploads", []) == []


async def test_a_cancelled_put_leaves_no_upload(backend: S3BlobBackend, store: S3Store) -> None:
    started = asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        yield os.urandom(PART_SIZE)
        started.set()
        await asyncio.sleep(3600)
        yield b"never"

    task = asyncio.create_task(backend.put("bkey0005", stalled()))
    await started.wait()
    await asyncio.sleep(0.5)  # let the first part reach the server
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.2)  # the shielded abort finishes after the cancellation
    async with store.client() as s3:
        uploads = await s3.list_multipart_uploads(Bucket=store.bucket, Prefix="node/bkey0005")
    assert uploads.get("Uploads", []) == []


async def test_stale_uploads_a_crash_left_are_aborted(
    backend: S3BlobBackend, store: S3Store
) -> None:
    async with store.client() as s3:
        await s3.create_multipart_upload(Bucket=store.bucket, Key="node/bkey0006")
        # Another prefix belongs to another installation: never touched.
        await s3.create_multipart_upload(Bucket=store.bucket, Key="other/bkey0006")
    # moto reports every upload as initiated in 2010, so only the prefix is told apart
    # here; the idle cut-off compares S3's Initiated time as any real store sends it.
    assert await backend.abandon_incomplete(0) == 1
    async with store.client() as s3:
        left = await s3.list_multipart_uploads(Bucket=store.bucket)
    assert [upload["Key"] for upload in left.get("Uploads", [])] == ["other/bkey0006"]


async def test_settled_keys_are_the_objects_idle_long_enough(store: S3Store) -> None:
    backend = S3BlobBackend(_location(store, prefix="settled/"))
    try:
        await backend.put_bytes("bsettled01", b"sealed")
        assert [batch async for batch in backend.settled_keys(3600)] == []
        assert [batch async for batch in backend.settled_keys(-60)] == [["bsettled01"]]
    finally:
        await backend.close()


async def test_a_missing_bucket_is_named_at_start(store: S3Store) -> None:
    backend = S3BlobBackend(_location(store, bucket="no-such-bucket"))
    try:
        with pytest.raises(S3UnavailableError, match="no-such-bucket"):
            await backend.check()
    finally:
        await backend.close()


def test_the_secret_stays_out_of_reprs(store: S3Store) -> None:
    location = _location(store)
    assert store.secret_file.read_text() not in repr(location)


RAW = (
    b"From: Bob <bob@example.net>\r\nTo: alice@example.org\r\nSubject: Shared store\r\n"
    b"Message-ID: <s3-node@example.net>\r\n\r\nWritten by one node, read by the other.\r\n"
)


async def test_two_nodes_share_mail_through_postgresql_and_the_bucket(
    database_url: str, make_services: ServicesFactory, store: S3Store, tmp_path: Path
) -> None:
    if not database_url:
        pytest.skip("several nodes need PostgreSQL; SQLite serves one")
    settings = store.settings(prefix=tmp_path.name.replace("_", "").lower()[-20:])
    reader, writer = await make_services(**settings), await make_services(**settings)
    for node in (reader, writer):
        await node.start()
    client = await make_client(reader)
    inbox = await client.mailbox("inbox")
    incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=1_800_000_000)
    delivered = await writer.emails.ingest.deliver(client.unlocked.account_id, RAW, incoming)
    got = await client.one(
        "Email/get",
        ids=[delivered.id],
        properties=["subject", "bodyValues"],
        fetchAllBodyValues=True,
    )
    [email] = got["list"]
    assert email["subject"] == "Shared store"
    assert "read by the other" in next(iter(email["bodyValues"].values()))["value"]
    assert not (tmp_path / "data" / "blobs").exists()
    prefix = settings["blob_store"].removeprefix(f"s3://{store.bucket}/")
    assert any(key.startswith(prefix + "/") for key in await store.keys())
