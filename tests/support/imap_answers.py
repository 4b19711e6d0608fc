"""imaplib's answers as plain bytes, for assertions on what a server sent."""

from __future__ import annotations

__all__ = ["flat"]


def flat(data: object) -> bytes:
    """imaplib's answer (bytes and (head, literal) tuples) as one byte string."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, tuple | list):
        return b" ".join(flat(x) for x in data)
    return b""
