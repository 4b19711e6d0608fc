"""Wall-clock seconds, behind one function so tests and purges agree on "now"."""

from __future__ import annotations

import time

__all__ = ["DAY", "now"]

DAY = 86400


def now() -> int:
    return int(time.time())
