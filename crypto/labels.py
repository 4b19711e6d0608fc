"""Domain-separation strings that bind each ciphertext and derived key to its context.

Every AAD and HKDF ``info`` in Sealbox is ``label || 0x00 || part1 || 0x00 || part2 ...``
with a label like ``b"sealbox/v1/slot"``. Parts may not contain NUL, so no two distinct
contexts encode to the same bytes (a slot for account ``"a\\x00b"`` cannot pose as
another's).
"""

__all__ = ["bind"]


def bind(label: bytes, *parts: str) -> bytes:
    """Return ``label`` followed by each part as ``0x00 || utf-8(part)``."""
    encoded = bytearray(label)
    for part in parts:
        if not part:
            raise ValueError("context parts must be non-empty")
        if "\x00" in part:
            raise ValueError("context parts must not contain NUL")
        encoded += b"\x00" + part.encode("utf-8")
    return bytes(encoded)
