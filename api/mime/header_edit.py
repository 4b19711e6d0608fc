"""Editing a message's top header section without touching its body (RFC 5322 2.2, 3.6.3)."""

from __future__ import annotations

from collections.abc import Collection

from api.mime.fields import RawHeader, split_header_block

__all__ = ["header_section", "top_headers", "without_fields"]


def header_section(raw: bytes) -> tuple[bytes, bytes]:
    """(header section with its last line ending, the rest: blank line and body)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        at = raw.find(separator)
        if at >= 0:
            cut = at + len(separator) // 2
            return raw[:cut], raw[cut:]
    return raw, b""


def top_headers(raw: bytes) -> tuple[RawHeader, ...]:
    return split_header_block(header_section(raw)[0])


def without_fields(raw: bytes, names: Collection[str]) -> bytes:
    """The message with every top-level field named in `names` (any case) removed,
    continuation lines included: how Bcc is kept from the recipients (RFC 5322 3.6.3)."""
    drop = {name.lower() for name in names}
    head, rest = header_section(raw)
    kept: list[bytes] = []
    dropping = False
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        name = line.partition(b":")[0].strip().decode("ascii", "replace").lower()
        dropping = name in drop
        if not dropping:
            kept.append(line)
    return b"".join(kept) + rest
