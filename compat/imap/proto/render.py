"""Response data in wire form (RFC 9051 9 string, nstring, flag-list, date-time)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

__all__ = ["date_time", "flag_list", "nstring", "quoted_or_literal"]

_SAFE = frozenset(range(0x20, 0x7F)) - {0x22, 0x5C}


def quoted_or_literal(value: bytes | str) -> bytes:
    """A quoted string when every octet may be quoted, else a literal."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    if len(data) < 1024 and all(b in _SAFE for b in data):
        return b'"' + data + b'"'
    if all(b not in (0x0D, 0x0A, 0x00) for b in data) and len(data) < 1024:
        escaped = data.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
        if all(b >= 0x20 or b == 0x09 for b in escaped):
            return b'"' + escaped + b'"'
    return b"{" + str(len(data)).encode() + b"}\r\n" + data


def nstring(value: bytes | str | None) -> bytes:
    return b"NIL" if value is None else quoted_or_literal(value)


def flag_list(flags: Iterable[str]) -> bytes:
    return ("(" + " ".join(flags) + ")").encode("utf-8")


def date_time(seconds: int) -> bytes:
    """9 date-time, in UTC: `"01-Feb-2026 10:20:30 +0000"`."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime('"%d-%b-%Y %H:%M:%S +0000"').encode()
