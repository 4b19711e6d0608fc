"""Debian packages the interop tests run as real peers (Postfix, Dovecot, swaks, Chromium),
installed through apt-get when missing, so a fresh machine needs no step outside the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

__all__ = ["install_missing"]

# Chromium's download can take minutes on a slow mirror; beyond this something is stuck.
_APT_TIMEOUT = 900


def install_missing(
    packages: Sequence[str], files: Sequence[str | Path], *, debconf: str = ""
) -> str | None:
    """None once every one of `files` exists, installing `packages` with apt-get when one
    does not; else why they cannot be had here. `debconf` preseeds their questions."""
    if all(Path(file).exists() for file in files):
        return None
    wanted = " ".join(packages)
    if shutil.which("apt-get") is None:
        return f"{wanted} not installed and apt-get is not available"
    if os.geteuid() != 0:
        return f"{wanted} not installed and apt-get needs root"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if debconf:
        subprocess.run(["debconf-set-selections"], input=debconf, text=True, env=env, check=False)
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *packages]):
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=_APT_TIMEOUT, check=False
        )
        if done.returncode != 0:
            return f"{' '.join(command)} failed: {done.stderr.strip()[-300:]}"
    missing = [str(file) for file in files if not Path(file).exists()]
    return f"apt-get installed {wanted} but {', '.join(missing)} is missing" if missing else None
