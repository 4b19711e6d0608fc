"""Chunked AES-256-GCM for large messages, readable in random-access ranges (STREAM).

The layout is in ``crypto.stream_format``. The chunk index and final flag in each nonce
make reordering, duplicating and dropping chunks fail; the header in every chunk's AD
makes header edits fail. Errors: FormatError when the first 12 bytes are no header at
all (too short, unknown version, impossible chunk size); DecryptionError for every other
failure, truncation included. ``decrypt_stream`` yields each chunk once it is
authenticated, so a truncated stream raises only at its end: consumers must not act on
its output before the iterator is exhausted.
"""

import secrets
from collections.abc import Callable, Iterable, Iterator
from itertools import chain

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crypto.aead import TAG_SIZE, aes256gcm
from crypto.errors import DecryptionError, FormatError
from crypto.secret_value import SecretBytes
from crypto.stream_format import (
    DEFAULT_CHUNK_SIZE,
    HEADER_SIZE,
    MAX_CHUNK_SIZE,
    PREFIX_SIZE,
    StreamHeader,
    chunk_count,
    plaintext_size,
    read_header,
    split_blocks,
)

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "HEADER_SIZE",
    "MAX_CHUNK_SIZE",
    "StreamHeader",
    "decrypt_bytes",
    "decrypt_range",
    "decrypt_stream",
    "encrypt_bytes",
    "encrypt_stream",
    "plaintext_size",
    "read_header",
]


def _open_chunk(
    cipher: AESGCM, header: StreamHeader, ad: bytes, index: int, sealed: bytes, last: bool
) -> bytes:
    try:
        return cipher.decrypt(header.nonce(index, last), sealed, ad)
    except InvalidTag:
        raise DecryptionError from None


def encrypt_stream(
    key: SecretBytes, chunks: Iterable[bytes], aad: bytes, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[bytes]:
    """Encrypt pieces of any size; yields the header, then one sealed chunk at a time."""
    cipher = aes256gcm(key)
    header = StreamHeader(chunk_size, secrets.token_bytes(PREFIX_SIZE))

    def sealed() -> Iterator[bytes]:
        head = header.to_bytes()
        ad = head + aad
        yield head
        for index, (block, last) in enumerate(split_blocks(chunks, chunk_size)):
            yield cipher.encrypt(header.nonce(index, last), block, ad)

    return sealed()


def encrypt_bytes(
    key: SecretBytes, data: bytes, aad: bytes, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> bytes:
    """Encrypt ``data`` in one call; the result is what ``encrypt_stream`` would yield."""
    return b"".join(encrypt_stream(key, [data], aad, chunk_size))


def decrypt_stream(key: SecretBytes, data: Iterable[bytes], aad: bytes) -> Iterator[bytes]:
    """Decrypt pieces of a stream of any size; yields plaintext chunk by chunk."""
    cipher = aes256gcm(key)

    def opened() -> Iterator[bytes]:
        pieces = iter(data)
        head = b""
        for piece in pieces:
            head += piece
            if len(head) >= HEADER_SIZE:
                break
        header = read_header(head)
        ad = head[:HEADER_SIZE] + aad
        # A view, so that a whole blob passed as one piece is not copied just to skip 12 bytes.
        body: Iterable[bytes | memoryview] = chain([memoryview(head)[HEADER_SIZE:]], pieces)
        for index, (block, last) in enumerate(split_blocks(body, header.chunk_size + TAG_SIZE)):
            yield _open_chunk(cipher, header, ad, index, block, last)

    return opened()


def decrypt_bytes(key: SecretBytes, blob: bytes, aad: bytes) -> bytes:
    """Decrypt a whole stream; all or nothing."""
    return b"".join(decrypt_stream(key, [blob], aad))


def decrypt_range(
    key: SecretBytes,
    read_at: Callable[[int, int], bytes],
    total_size: int,
    aad: bytes,
    start: int,
    length: int,
) -> bytes:
    """Decrypt plaintext ``[start, start + length)``, clamped to the end like a slice.

    Reads only the header, the chunks covering the range, and the final chunk: opening
    the final chunk authenticates ``total_size``, so a truncated blob always fails.
    """
    if start < 0 or length < 0:
        raise ValueError("start and length must not be negative")
    cipher = aes256gcm(key)
    head = read_at(0, HEADER_SIZE)
    header = read_header(head)
    try:
        count = chunk_count(total_size, header.chunk_size)
    except FormatError:
        raise DecryptionError("stream truncated or its size does not match") from None
    ad = bytes(head[:HEADER_SIZE]) + aad
    sealed_size = header.chunk_size + TAG_SIZE

    def open_at(index: int) -> bytes:
        offset = HEADER_SIZE + index * sealed_size
        size = sealed_size if index < count - 1 else total_size - offset
        sealed = read_at(offset, size)
        if len(sealed) != size:
            raise DecryptionError("ciphertext read returned the wrong number of bytes")
        return _open_chunk(cipher, header, ad, index, sealed, index == count - 1)

    end = min(start + length, plaintext_size(total_size, header.chunk_size))
    first = start // header.chunk_size
    wanted = range(first, (end - 1) // header.chunk_size + 1) if start < end else range(0)
    plaintext = b"".join(open_at(index) for index in wanted)
    if count - 1 not in wanted:
        open_at(count - 1)
    skip = start - first * header.chunk_size
    return plaintext[skip : skip + max(0, end - start)]
