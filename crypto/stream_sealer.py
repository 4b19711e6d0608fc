"""STREAM encryption driven by the producer: for async sources such as HTTP uploads.

``crypto.stream.encrypt_stream`` pulls from an iterable, which an ``async for`` cannot
feed; ``StreamSealer`` is the same encryption turned inside out, and its output is
byte-for-byte the ``crypto.stream_format`` layout, read back by ``crypto.stream``.
"""

import secrets

from crypto.aead import aes256gcm
from crypto.secret_value import SecretBytes
from crypto.stream_format import DEFAULT_CHUNK_SIZE, PREFIX_SIZE, StreamHeader

__all__ = ["StreamSealer"]


class StreamSealer:
    """Write ``header`` first, then ``seal`` every block: each but the last exactly
    ``chunk_size`` bytes, the last 0 to ``chunk_size`` bytes with ``last=True``."""

    def __init__(self, key: SecretBytes, aad: bytes, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        self._cipher = aes256gcm(key)
        self._format = StreamHeader(chunk_size, secrets.token_bytes(PREFIX_SIZE))
        self.header = self._format.to_bytes()
        self.chunk_size = chunk_size
        self._ad = self.header + aad
        self._index = 0
        self._done = False

    def __repr__(self) -> str:
        return f"StreamSealer(chunk_size={self.chunk_size}, <key redacted>)"

    def seal(self, block: bytes, *, last: bool) -> bytes:
        if self._done:
            raise ValueError("the final block was already sealed")
        if len(block) > self.chunk_size or (not last and len(block) != self.chunk_size):
            raise ValueError("only the final block may be shorter than chunk_size")
        sealed = self._cipher.encrypt(self._format.nonce(self._index, last), block, self._ad)
        self._index += 1
        self._done = last
        return sealed
