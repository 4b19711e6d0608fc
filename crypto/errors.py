"""The exceptions raised by the crypto package; no message ever contains key material.

Programming mistakes (a 16-byte key where 32 are required, a negative length) raise
``ValueError`` instead, so that callers who map ``CryptoError`` to a user-facing answer
never hide a bug.
"""

__all__ = ["CryptoError", "DecryptionError", "FormatError"]


class CryptoError(Exception):
    """Base class of every error the crypto package raises on bad input data."""

    default_message = "cryptographic operation failed"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class DecryptionError(CryptoError):
    """Authentication failed: wrong key, wrong context, or tampered or truncated data."""

    default_message = "decryption failed: wrong key or tampered data"


class FormatError(CryptoError):
    """A token, blob or typed code is malformed (too short, unknown version, bad alphabet)."""

    default_message = "malformed input"
