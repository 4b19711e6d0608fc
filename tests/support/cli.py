"""Runs the real `sealbox` console script in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SEALBOX", "CliResult", "run_cli"]

# The console script installed next to this interpreter (the project's venv).
SEALBOX = str(Path(sys.executable).with_name("sealbox"))


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def last_line(self) -> str:
        return self.stdout.rstrip("\n").rsplit("\n", 1)[-1]


def run_cli(env: dict[str, str], *args: str, stdin: str = "") -> CliResult:
    completed = subprocess.run(
        [SEALBOX, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)
