"""search_ram_dir must be a RAM file system, and a failed index restore leaves nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.search.account_index import KEY_MAP, AccountIndex
from api.search.ram_dir import RamDirError, check_ram_dir, filesystem_of

MOUNTS = """\
/dev/sda1 / ext4 rw 0 0
tmpfs /dev/shm tmpfs rw 0 0
tmpfs /srv/ram tmpfs rw 0 0
/dev/sdb1 /srv/ram/disk ext4 rw 0 0
ramfs /mnt/with\\040space ramfs rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/dev/shm", "tmpfs"),
        ("/dev/shm/sealbox", "tmpfs"),
        ("/srv/ram/x", "tmpfs"),
        ("/srv/ram/disk/x", "ext4"),  # a disk mounted inside the tmpfs
        ("/mnt/with space/x", "ramfs"),
        ("/var/lib/sealbox", "ext4"),
    ],
)
def test_the_deepest_mount_names_the_file_system(path: str, kind: str) -> None:
    assert filesystem_of(Path(path), MOUNTS) == kind


def test_a_disk_directory_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 {tmp_path} xfs rw 0 0\n")
    with pytest.raises(RamDirError, match="on xfs, not tmpfs or ramfs"):
        check_ram_dir(tmp_path, mounts)
    with pytest.raises(RamDirError, match="does not exist"):
        check_ram_dir(tmp_path / "nope", mounts)
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\ntmpfs {tmp_path} tmpfs rw 0 0\n")
    check_ram_dir(tmp_path, mounts)


def test_dev_shm_here_passes_against_the_real_proc_mounts() -> None:
    if not Path("/dev/shm").is_dir():
        pytest.skip("no /dev/shm")
    check_ram_dir(Path("/dev/shm"))


def test_a_failing_restore_removes_its_partial_directory(tmp_path: Path) -> None:
    manifest = json.dumps({"schema": 1, "language": "en", "keys": {}}).encode()
    # The first segment is written, then a name the directory cannot hold fails.
    files = {KEY_MAP: manifest, "a.store": b"segment", "missing/b.store": b"segment"}
    with pytest.raises(OSError):
        AccountIndex.restore(tmp_path, "en", files)
    assert list(tmp_path.iterdir()) == []
