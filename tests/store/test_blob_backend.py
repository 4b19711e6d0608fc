"""The filesystem blob backend: durable puts (fsync before rename, then the directory),
byte ranges, concurrent puts, and no temp file left behind by a failed put."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest

from api.store.blobs.backend import BlobMissingError
from api.store.blobs.filesystem import TEMP_SUFFIX, FilesystemBlobBackend


async def _pieces(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


async def test_put_then_read_ranges(tmp_path: Path) -> None:
    backend = FilesystemBlobBackend(tmp_path)
    data = bytes(range(256)) * 40
    assert await backend.put("bkey0001", _pieces(data[:100], data[100:])) == len(data)
    assert await backend.exists("bkey0001")
    assert await backend.read("bkey0001", 0, len(data)) == data
    assert await backend.read("bkey0001", 1000, 24) == data[1000:1024]
    assert await backend.read("bkey0001", len(data) - 3, 100) == data[-3:]
    assert await backend.read("bkey0001", len(data) + 5, 10) == b""
    [path] = _files(tmp_path)
    assert path == tmp_path / "ke" / "y0" / "bkey0001"
    assert path.stat().st_mode & 0o777 == 0o600


async def test_delete_and_missing(tmp_path: Path) -> None:
    backend = FilesystemBlobBackend(tmp_path)
    await backend.put("bkey0002", _pieces(b"x"))
    await backend.delete("bkey0002")
    await backend.delete("bkey0002")  # idempotent, like S3
    assert not await backend.exists("bkey0002")
    with pytest.raises(BlobMissingError):
        await backend.read("bkey0002", 0, 1)


@pytest.mark.parametrize("key", ["../etc", "a/b/cdef", "BIG0", "ab", ""])
async def test_keys_that_could_name_other_paths_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="invalid blob key"):
        await FilesystemBlobBackend(tmp_path).put(key, _pieces(b"x"))


async def test_a_failed_put_leaves_nothing_behind(tmp_path: Path) -> None:
    backend = FilesystemBlobBackend(tmp_path)

    async def failing() -> AsyncIterator[bytes]:
        yield b"ciphertext so far"
        raise RuntimeError("client went away")

    with pytest.raises(RuntimeError, match="went away"):
        await backend.put("bkey0003", failing())
    assert _files(tmp_path) == []
    assert not await backend.exists("bkey0003")


async def test_a_cancelled_put_leaves_nothing_behind(tmp_path: Path) -> None:
    backend = FilesystemBlobBackend(tmp_path)
    started = asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        yield b"part"
        started.set()
        await asyncio.sleep(3600)
        yield b"never"

    task = asyncio.create_task(backend.put("bkey0004", stalled()))
    await started.wait()
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _files(tmp_path) == []


async def test_fsync_file_then_rename_then_fsync_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor: int) -> None:
        path = Path(f"/proc/self/fd/{descriptor}").readlink()
        events.append(f"fsync {path.relative_to(tmp_path)}" if path.is_dir() else "fsync file")
        real_fsync(descriptor)

    def replace(source: str, target: str) -> None:
        events.append("rename")
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    backend = FilesystemBlobBackend(tmp_path)
    await backend.put("bkey0005", _pieces(b"abc"))
    # Each directory the put made is durable in its parent before the file goes in.
    assert events == ["fsync .", "fsync ke", "fsync file", "rename", "fsync ke/y0"]
    events.clear()
    await backend.put_bytes("bkey0006", b"def")
    assert events == ["fsync file", "rename", "fsync ke/y0"]


async def test_concurrent_puts_do_not_mix(tmp_path: Path) -> None:
    backend = FilesystemBlobBackend(tmp_path)
    keys = [f"bconc{index:03d}" for index in range(40)]

    def body(index: int) -> Iterable[bytes]:
        return [bytes([index]) * 1000] * 20

    async def put(index: int) -> int:
        return await backend.put(keys[index], _pieces(*body(index)))

    sizes = await asyncio.gather(*(put(index) for index in range(len(keys))))
    assert sizes == [20_000] * len(keys)
    for index, key in enumerate(keys):
        assert await backend.read(key, 0, 30_000) == b"".join(body(index))
    assert not [path for path in _files(tmp_path) if path.name.endswith(TEMP_SUFFIX)]


async def test_stale_temp_files_of_a_crashed_put_are_removed(tmp_path: Path) -> None:
    backend = FilesystemBlobBackend(tmp_path)
    await backend.put("bkeep0001", _pieces(b"done"))
    shard = tmp_path / "ke" / "ep"
    stale, fresh = shard / f".dead{TEMP_SUFFIX}", shard / f".live{TEMP_SUFFIX}"
    stale.write_bytes(b"ciphertext")
    fresh.write_bytes(b"ciphertext")
    os.utime(stale, (1, 1))
    assert await backend.abandon_incomplete(3600) == 1
    assert not stale.exists() and fresh.exists()
    assert await backend.exists("bkeep0001")


async def test_settled_keys_are_the_stored_files_idle_long_enough(tmp_path: Path) -> None:
    backend = FilesystemBlobBackend(tmp_path)
    for key in ("bold00001", "bold00002", "bnew00001", "bzz000001"):
        await backend.put(key, _pieces(b"sealed"))
    for key in ("bold00001", "bold00002", "bzz000001"):
        os.utime(backend.path(key), (1, 1))
    temp = backend.path("bold00001").parent / f".dead{TEMP_SUFFIX}"
    temp.write_bytes(b"ciphertext")
    os.utime(temp, (1, 1))
    batches = [batch async for batch in backend.settled_keys(3600)]
    # One batch per top-level directory, each whole.
    assert sorted(sorted(batch) for batch in batches) == [["bold00001", "bold00002"], ["bzz000001"]]
    assert [batch async for batch in FilesystemBlobBackend(tmp_path / "none").settled_keys(0)] == []
