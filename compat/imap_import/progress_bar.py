"""The import's progress on stderr: a redrawn bar on a terminal, one line per message else."""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["ProgressBar"]

_WIDTH = 30


def _megabytes(octets: int) -> str:
    return f"{octets / 1_000_000:.1f}"


class ProgressBar:
    def __init__(self, messages: int, octets: int, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._total = messages
        self._octets = max(octets, 1)
        self._done = 0
        self._done_octets = 0
        self._tty = self._stream.isatty()

    def advance(self, octets: int, folder: str) -> None:
        self._done += 1
        self._done_octets += octets
        counts = (
            f"{self._done}/{self._total} messages, "
            f"{_megabytes(self._done_octets)}/{_megabytes(self._octets)} MB"
        )
        if self._tty:
            filled = min(_WIDTH, _WIDTH * self._done_octets // self._octets)
            bar = "#" * filled + "-" * (_WIDTH - filled)
            self._stream.write(f"\r\x1b[K[{bar}] {counts}  {folder[:30]}")
        else:
            self._stream.write(f"import: {counts} ({folder})\n")
        self._stream.flush()

    def finish(self) -> None:
        if self._tty and self._done:
            self._stream.write("\n")
            self._stream.flush()
