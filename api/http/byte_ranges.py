"""The Range request header for downloads (RFC 9110 14.1.2, 14.2): one byte range or none.

Several ranges would need multipart/byteranges; RFC 9110 14.2 lets a server ignore the
header instead, and answering the whole representation is always correct.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ByteRange", "RangeNotSatisfiableError", "parse_range"]

# ASCII digits, at most 19 (a 64-bit offset): int() of a huge digit run would raise.
_SINGLE = re.compile(r"\s*bytes\s*=\s*([0-9]{0,19})\s*-\s*([0-9]{0,19})\s*", re.IGNORECASE)


class RangeNotSatisfiableError(Exception):
    """416: the range starts at or beyond the end (14.1.2)."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # exclusive

    @property
    def length(self) -> int:
        return self.end - self.start

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end - 1}/{size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range to serve of a ``size``-octet representation, or None for all of it."""
    if header is None:
        return None
    match = _SINGLE.fullmatch(header)
    if match is None:
        return None  # several ranges, another unit, or malformed: ignorable (14.2)
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N octets
        suffix = int(last)
        if suffix == 0:
            raise RangeNotSatisfiableError
        return ByteRange(max(0, size - suffix), size)
    start = int(first)
    end = size if not last else min(size, int(last) + 1)
    if last and int(last) < start:
        return None  # invalid: ignore rather than fail
    if start >= size:
        raise RangeNotSatisfiableError
    return ByteRange(start, end)
