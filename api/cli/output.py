"""How CLI commands talk: results on stdout (last line machine-readable), errors on stderr."""

from __future__ import annotations

import sys

__all__ = ["CommandError", "fail", "say"]


class CommandError(Exception):
    """A usage problem a person can fix; shown as one sentence, exit status 1."""


def say(line: str = "") -> None:
    print(line, flush=True)


def fail(message: str, status: int = 1) -> int:
    print(f"sealbox: error: {message}", file=sys.stderr, flush=True)
    return status
