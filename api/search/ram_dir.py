"""The check that the live search indexes sit on a RAM file system (DESIGN "Search").

The files under `search_ram_dir` are plaintext index segments: on a disk they would
outlive the process and defeat encryption at rest, so the server refuses to start.
"""

from __future__ import annotations

import os
from pathlib import Path

from api.config import ConfigError

__all__ = ["RAM_FILESYSTEMS", "RamDirError", "check_ram_dir", "filesystem_of"]

RAM_FILESYSTEMS = frozenset({"tmpfs", "ramfs"})


class RamDirError(ConfigError):
    """search_ram_dir is not on a RAM file system (or does not exist)."""


def _unescape(field: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash as octal escapes.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def filesystem_of(path: Path, mounts: str) -> str | None:
    """The type of the file system holding `path`, from /proc/mounts text (the last,
    longest mount point that contains it wins, as the kernel stacks them)."""
    best: tuple[int, str] | None = None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = Path(_unescape(fields[1]))
        if path == point or point in path.parents:
            depth = len(point.parts)
            if best is None or depth >= best[0]:
                best = (depth, fields[2])
    return None if best is None else best[1]


def check_ram_dir(ram_dir: Path, mounts_file: Path = Path("/proc/mounts")) -> None:
    """Raise RamDirError unless `ram_dir` exists on tmpfs or ramfs."""
    if not ram_dir.is_dir():
        raise RamDirError(f"search_ram_dir {ram_dir} does not exist")
    try:
        mounts = mounts_file.read_text()
    except OSError as exc:
        raise RamDirError(f"cannot read {mounts_file} to check search_ram_dir") from exc
    kind = filesystem_of(Path(os.path.realpath(ram_dir)), mounts)
    if kind not in RAM_FILESYSTEMS:
        raise RamDirError(
            f"search_ram_dir {ram_dir} is on {kind or 'an unknown file system'}, not tmpfs or "
            "ramfs: the live search index is plaintext and must never reach a disk. Point it "
            "at a RAM file system (e.g. /dev/shm), or set search_ram_dir_allow_disk = true "
            "only if that disk is itself encrypted."
        )
