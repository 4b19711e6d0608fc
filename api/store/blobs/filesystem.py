"""Blobs as files under data_dir/blobs/, written so that a returned put survives a crash.

Layout: ``blobs/<key[1:3]>/<key[3:5]>/<key>``; keys are random ids, so two levels of
1,024 directories keep every directory small. A put writes a temp file in the target
directory, fsyncs it, renames it over the key and fsyncs the directory (rename is atomic
only within one filesystem, and the directory entry is durable only after its fsync).
Readers therefore see either nothing or the whole object. File I/O runs in threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import secrets
import time
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from api.store.blobs.backend import BlobBackend, BlobMissingError, check_key

__all__ = ["TEMP_SUFFIX", "FileWriter", "FilesystemBlobBackend"]

TEMP_SUFFIX = ".tmp"
_DURABLE_WRITERS = 16


@functools.cache
def _durable_writes() -> ThreadPoolExecutor:
    # Their own threads: a put waits on the disk (two fsyncs) with the GIL released, and
    # in the shared default executor (cpu + 4 threads) puts of concurrent deliveries
    # would queue behind each other and behind DNS and DKIM checks.
    return ThreadPoolExecutor(max_workers=_DURABLE_WRITERS, thread_name_prefix="blob-put")


def _fsync_directory(directory: str | Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _ensure_directory(directory: str) -> None:
    """Make `directory` (and its parent) where missing. A new directory's entry is
    durable only after its parent's fsync, as a file's is: a put into a directory it
    made must survive a crash too. (Strings, not Path: an MX worker runs this per copy.)
    """
    try:
        os.mkdir(directory, 0o700)
    except FileExistsError:
        return
    except FileNotFoundError:
        _ensure_directory(os.path.dirname(directory))
        with contextlib.suppress(FileExistsError):  # a concurrent put made it meanwhile
            os.mkdir(directory, 0o700)
    _fsync_directory(os.path.dirname(directory))


def _open_temp(directory: str) -> tuple[str, BinaryIO]:
    _ensure_directory(directory)
    temp = os.path.join(directory, f".{secrets.token_hex(8)}{TEMP_SUFFIX}")
    # O_EXCL: never reuse an existing file; 0600: owner-only, like the whole data dir.
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return temp, os.fdopen(descriptor, "wb")


def _commit(file: BinaryIO, temp: str, target: str) -> None:
    file.flush()
    os.fsync(file.fileno())
    file.close()
    os.replace(temp, target)
    _fsync_directory(os.path.dirname(target))


def _put_whole(directory: str, target: str, data: bytes) -> None:
    temp, file = _open_temp(directory)
    try:
        file.write(data)
        _commit(file, temp, target)
    except BaseException:
        _abandon(file, temp)
        raise


def _abandon(file: BinaryIO, temp: str) -> None:
    file.close()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)


def _remove_stale_temps(root: Path, idle_seconds: float) -> int:
    cutoff = time.time() - idle_seconds
    removed = 0
    for temp in root.glob(f"*/*/.*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            # Every write of a live put moves mtime: only a dead put stays this idle.
            if temp.stat().st_mtime < cutoff:
                temp.unlink()
                removed += 1
    return removed


def _subdirectories(root: str) -> list[str]:
    try:
        with os.scandir(root) as entries:
            return sorted(entry.path for entry in entries if entry.is_dir(follow_symlinks=False))
    except FileNotFoundError:
        return []


def _settled_under(directory: str, cutoff: float) -> list[str]:
    """The keys in one top-level directory whose file was last written before `cutoff`."""
    keys = []
    with contextlib.suppress(FileNotFoundError), os.scandir(directory) as middles:
        for middle in middles:
            if not middle.is_dir(follow_symlinks=False):
                continue
            with contextlib.suppress(FileNotFoundError), os.scandir(middle.path) as entries:
                for entry in entries:
                    # Dot files are temps of puts (removed by _remove_stale_temps).
                    if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                        continue
                    with contextlib.suppress(FileNotFoundError):
                        if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                            keys.append(entry.name)
    return keys


def _read(path: Path, offset: int, length: int) -> bytes:
    try:
        with path.open("rb") as file:
            file.seek(offset)
            return file.read(length)
    except FileNotFoundError:
        raise BlobMissingError(path.name) from None


def _path(root: Path, key: str) -> Path:
    return Path(_location(str(root), key)[1])


def _location(root: str, key: str) -> tuple[str, str]:
    """The directory a key's file is in, and the file."""
    check_key(key)
    directory = os.path.join(root, key[1:3], key[3:5])
    return directory, os.path.join(directory, key)


@dataclass(frozen=True, slots=True)
class FileWriter:
    """`put_bytes` for another process on this machine (the MX workers write the copies
    they seal, so the ciphertext never crosses back to the server's event loop)."""

    root: Path

    def put_blocking(self, key: str, data: bytes) -> int:
        _put_whole(*_location(str(self.root), key), data)
        return len(data)


class FilesystemBlobBackend(BlobBackend):
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return _path(self.root, key)

    def process_writer(self) -> FileWriter:
        return FileWriter(self.root)

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        directory, target = _location(str(self.root), key)
        temp, file = await asyncio.to_thread(_open_temp, directory)
        size = 0
        try:
            async for chunk in chunks:
                await asyncio.to_thread(file.write, chunk)
                size += len(chunk)
            await asyncio.to_thread(_commit, file, temp, target)
        except BaseException:
            # Cancellation included: a half-written temp file must not outlive the put.
            await asyncio.shield(asyncio.to_thread(_abandon, file, temp))
            raise
        return size

    async def put_bytes(self, key: str, data: bytes) -> int:
        # One thread hop for open, write, both fsyncs and the rename: a small message's
        # put costs the disk's time, not five trips through the executor.
        directory, target = _location(str(self.root), key)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(_durable_writes(), _put_whole, directory, target, data)
        return len(data)

    async def read(self, key: str, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0:
            raise ValueError("offset and length must not be negative")
        return await asyncio.to_thread(_read, self.path(key), offset, length)

    async def read_many(self, spans: Sequence[tuple[str, int, int]]) -> list[bytes]:
        # One thread hop for all: an IMAP FETCH of 100 bodies paid 100 executor trips.
        if any(offset < 0 or length < 0 for _, offset, length in spans):
            raise ValueError("offset and length must not be negative")
        paths = [(self.path(key), offset, length) for key, offset, length in spans]
        return await asyncio.to_thread(lambda: [_read(*span) for span in paths])

    async def delete(self, key: str) -> None:
        path = self.path(key)

        def remove() -> None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                _fsync_directory(path.parent)

        await asyncio.to_thread(remove)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path(key).is_file)

    async def abandon_incomplete(self, idle_seconds: float) -> int:
        return await asyncio.to_thread(_remove_stale_temps, self.root, idle_seconds)

    async def settled_keys(self, idle_seconds: float) -> AsyncIterator[list[str]]:
        cutoff = time.time() - idle_seconds
        # One batch per top-level directory: about 1/1,024 of the store each.
        tops = await asyncio.to_thread(_subdirectories, str(self.root))
        for top in tops:
            keys = await asyncio.to_thread(_settled_under, top, cutoff)
            if keys:
                yield keys
