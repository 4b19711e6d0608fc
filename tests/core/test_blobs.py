"""BlobService on both database backends: round trips at chunk boundaries, ranges, keys
that must not open a blob, tampering, and purging expired uploads (RFC 8620 6.1)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from support.services import PASSWORD, create_account, unlock

from api.core.blob_purge import ORPHANED_AFTER, purge_blobs_periodically, purge_once
from api.core.blobs import BlobService
from api.core.errors import BlobNotFoundError
from api.core.unlocked import UnlockedAccount
from api.services import Services
from api.store.blobs.filesystem import FilesystemBlobBackend
from api.store.ids import BLOB_ID_PREFIX, new_id
from crypto.errors import DecryptionError
from crypto.master_key import MasterKey
from crypto.stream import DEFAULT_CHUNK_SIZE

CHUNK = DEFAULT_CHUNK_SIZE


async def _unlocked(services: Services, address: str = "alice@example.org") -> UnlockedAccount:
    created = await create_account(services, address)
    master_key = await unlock(services, created.account.id, PASSWORD)
    assert master_key is not None
    return UnlockedAccount(created.account.id, created.account.address, master_key)


async def _pieces(data: bytes, size: int = 10_000) -> AsyncIterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


def _backend(services: Services) -> FilesystemBlobBackend:
    backend = services.blobs.backend
    assert isinstance(backend, FilesystemBlobBackend)
    return backend


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5_000_000])
async def test_round_trip(services: Services, size: int) -> None:
    unlocked = await _unlocked(services)
    data = os.urandom(size)
    record = await services.blobs.upload(unlocked.account_id, _pieces(data, 7_777))
    assert record.size == size
    assert record.id.startswith("b")
    assert record.expires_at is not None
    assert await services.blobs.read_all(unlocked, record.id) == data
    opened = await services.blobs.open(unlocked, record.id)
    assert b"".join([piece async for piece in opened.stream()]) == data
    stored = _backend(services).path(record.id).read_bytes()
    assert len(stored) == record.stored_size
    if size >= 16:
        assert data[:16] not in stored


async def test_ranges(services: Services) -> None:
    unlocked = await _unlocked(services)
    data = os.urandom(3 * CHUNK + 123)
    record = await services.blobs.upload(unlocked.account_id, _pieces(data))
    opened = await services.blobs.open(unlocked, record.id)
    cases = [(0, 10), (CHUNK - 5, 10), (CHUNK, CHUNK), (2 * CHUNK + 1, 10**9), (len(data), 5)]
    for start, length in cases:
        assert await opened.read(start, length) == data[start : start + length]
        streamed = b"".join([piece async for piece in opened.stream(start, length)])
        assert streamed == data[start : start + length]


async def test_another_account_cannot_see_or_open_it(services: Services) -> None:
    alice = await _unlocked(services)
    bob = await _unlocked(services, "bob@example.org")
    record = await services.blobs.upload(alice.account_id, _pieces(b"for alice"))
    with pytest.raises(BlobNotFoundError):
        await services.blobs.open(bob, record.id)
    # Even with alice's row in hand, a wrong master key opens neither key nor content.
    wrong = UnlockedAccount(alice.account_id, alice.address, MasterKey.generate())
    with pytest.raises(DecryptionError):
        await services.blobs.open(wrong, record.id)


async def test_tampered_ciphertext_fails(services: Services) -> None:
    unlocked = await _unlocked(services)
    record = await services.blobs.upload(unlocked.account_id, _pieces(b"x" * (CHUNK + 10)))
    path = _backend(services).path(record.id)
    stored = bytearray(path.read_bytes())
    stored[20] ^= 1
    path.write_bytes(bytes(stored))
    opened = await services.blobs.open(unlocked, record.id)
    with pytest.raises(DecryptionError):
        await opened.read(0, 10)
    path.write_bytes(bytes(stored[: CHUNK + 40]))  # truncated: the final chunk is gone
    with pytest.raises(DecryptionError):
        await opened.read(0, 10)


async def test_store_to_public_key_needs_no_password(services: Services) -> None:
    unlocked = await _unlocked(services)
    public_key = await services.blobs.public_key(unlocked.account_id)
    record = await services.blobs.store(
        unlocked.account_id, public_key, _pieces(b"delivered mail"), expires=None
    )
    assert record.expires_at is None
    assert await services.blobs.read_all(unlocked, record.id) == b"delivered mail"


async def test_expired_uploads_are_purged(services: Services) -> None:
    unlocked = await _unlocked(services)
    kept = await services.blobs.upload(unlocked.account_id, _pieces(b"referenced"))
    await services.blobs.keep(unlocked.account_id, kept.id)
    stale = await services.blobs.upload(unlocked.account_id, _pieces(b"abandoned"))
    assert stale.expires_at is not None
    assert await services.blobs.purge_expired(stale.expires_at - 1) == 0
    assert await services.blobs.purge_expired(stale.expires_at) == 1
    with pytest.raises(BlobNotFoundError):
        await services.blobs.open(unlocked, stale.id)
    assert not _backend(services).path(stale.id).exists()
    assert await services.blobs.read_all(unlocked, kept.id) == b"referenced"


async def test_failed_upload_leaves_no_file(services: Services, tmp_path: Path) -> None:
    unlocked = await _unlocked(services)

    async def failing() -> AsyncIterator[bytes]:
        yield b"a" * 200_000
        raise RuntimeError("limit")

    service: BlobService = services.blobs
    with pytest.raises(RuntimeError):
        await service.upload(unlocked.account_id, failing())
    root = _backend(services).root
    assert not [path for path in root.rglob("*") if path.is_file()]


async def test_the_periodic_purge_runs_until_cancelled(services: Services) -> None:
    unlocked = await _unlocked(services)
    public_key = await services.blobs.public_key(unlocked.account_id)
    stale = await services.blobs.store(
        unlocked.account_id, public_key, _pieces(b"old upload"), expires=1
    )
    orphan = await services.blobs.write(
        unlocked.account_id, public_key, _pieces(b"x"), expires=None
    )
    os.utime(_backend(services).path(orphan.id), (1, 1))
    task = asyncio.create_task(purge_blobs_periodically(services.blobs, interval=0.01))
    for _ in range(200):
        paths = [_backend(services).path(blob_id) for blob_id in (stale.id, orphan.id)]
        if not any(path.exists() for path in paths):
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with pytest.raises(BlobNotFoundError):
        await services.blobs.find(unlocked.account_id, stale.id)
    assert not _backend(services).path(orphan.id).exists()  # the first pass sweeps


async def test_a_whole_read_authenticates_the_end(services: Services) -> None:
    unlocked = await _unlocked(services)
    record = await services.blobs.upload(unlocked.account_id, _pieces(b"y" * (CHUNK + 10)))
    assert await services.blobs.read_record(unlocked, record) == b"y" * (CHUNK + 10)
    path = _backend(services).path(record.id)
    stored = path.read_bytes()
    path.write_bytes(stored[: 12 + CHUNK + 16])  # a whole first chunk, the final one gone
    with pytest.raises(DecryptionError):
        await services.blobs.read_record(unlocked, record)
    with pytest.raises(DecryptionError):  # and shortened rows cannot pass it off either
        short = msgspec.structs.replace(record, stored_size=12 + CHUNK + 16)
        await services.blobs.read_record(unlocked, short)


async def test_the_private_key_comes_with_the_unlocked_account(services: Services) -> None:
    created = await create_account(services, "carol@example.org")
    master_key = await unlock(services, created.account.id, PASSWORD)
    assert master_key is not None
    unlocked = UnlockedAccount(
        created.account.id, created.account.address, master_key, created.account.wrapped_private_key
    )
    record = await services.blobs.upload(unlocked.account_id, _pieces(b"hello"))
    assert await services.blobs.read_all(unlocked, record.id) == b"hello"
    assert "redacted" in repr(unlocked) and "private" not in repr(unlocked)
    # Unwrapped under MK: the row of another account does not fit this master key.
    other = await create_account(services, "dave@example.org")
    wrong = UnlockedAccount(
        created.account.id, created.account.address, master_key, other.account.wrapped_private_key
    )
    with pytest.raises(DecryptionError):
        await services.blobs.read_all(wrong, record.id)


async def test_many_blobs_read_together_in_order(services: Services) -> None:
    """ReadableBlobs (IMAP FETCH of many bodies): batches of bounded plaintext, one backend
    read each, duplicates read once, large batches decrypted off the loop."""
    unlocked = await _unlocked(services)
    sizes = [10, CHUNK + 5, 0, 300_000, 3_000_000, 2_000_000]
    datas = [os.urandom(size) for size in sizes]
    records = [await services.blobs.upload(unlocked.account_id, _pieces(d)) for d in datas]
    ids = [r.id for r in records]
    readable = await services.blobs.readable(
        UnlockedAccount(unlocked.account_id, unlocked.address, unlocked.master_key), ids
    )
    assert await readable.read_many([ids[1], ids[0], ids[1]]) == [datas[1], datas[0], datas[1]]
    batches = list(readable.batches(ids))
    assert [b for batch in batches for b in batch] == ids
    # 4 MiB of plaintext at most per batch, unless one blob alone is larger.
    assert [len(batch) for batch in batches] == [5, 1]
    got = [data for batch in batches for data in await readable.read_many(batch)]
    assert got == datas
    with pytest.raises(BlobNotFoundError):
        await readable.read_many([ids[0], "bnope"])


async def test_stored_content_without_a_row_is_swept_once_a_day_old(services: Services) -> None:
    unlocked = await _unlocked(services)
    public_key = await services.blobs.public_key(unlocked.account_id)
    kept = await services.blobs.upload(unlocked.account_id, _pieces(b"referenced"))
    # What a lost MX worker or a crash leaves: the put done, the row never committed.
    account_id = unlocked.account_id
    orphan = await services.blobs.write(account_id, public_key, _pieces(b"x"), expires=None)
    young = await services.blobs.write(account_id, public_key, _pieces(b"y"), expires=None)
    backend = _backend(services)
    for blob_id in (kept.id, orphan.id):
        os.utime(backend.path(blob_id), (1, 1))
    await backend.put_bytes("zforeign1", b"not a blob key")
    stray = backend.path(orphan.id).with_name(f"{orphan.id}.bak")
    stray.write_bytes(b"an operator's copy")
    for path in (backend.path("zforeign1"), stray):
        os.utime(path, (1, 1))

    assert await services.blobs.purge_orphans(ORPHANED_AFTER) == 1
    assert not backend.path(orphan.id).exists()
    assert backend.path(young.id).exists() and backend.path("zforeign1").exists()
    assert stray.exists()
    assert await services.blobs.read_all(unlocked, kept.id) == b"referenced"
    counts = await purge_once(services.blobs)
    assert counts.orphans == 0 and backend.path(young.id).exists()


async def test_a_sweep_finding_more_than_a_crash_leaves_deletes_nothing(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    # As a node pointed at the wrong (here: an empty) database would see its mail.
    backend = _backend(services)
    keys = [new_id(BLOB_ID_PREFIX) for _ in range(101)]
    for key in keys:
        await backend.put_bytes(key, b"sealed mail of another database")
        os.utime(backend.path(key), (1, 1))
    with caplog.at_level(logging.ERROR, logger="sealbox.blobs"):
        assert await services.blobs.purge_orphans(ORPHANED_AFTER) == 0
    assert all(backend.path(key).exists() for key in keys)
    assert [getattr(r, "event", None) for r in caplog.records] == ["blobs.orphan_sweep_refused"]
    await backend.delete(keys.pop())
    assert await services.blobs.purge_orphans(ORPHANED_AFTER) == 100
