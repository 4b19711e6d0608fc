"""crypto.stream: chunked AEAD round trips, random access, and tamper resistance."""

import os
from collections.abc import Callable
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.errors import DecryptionError, FormatError
from crypto.secret_value import SecretBytes
from crypto.stream import (
    HEADER_SIZE,
    MAX_CHUNK_SIZE,
    decrypt_bytes,
    decrypt_range,
    decrypt_stream,
    encrypt_bytes,
    encrypt_stream,
    plaintext_size,
    read_header,
)
from crypto.stream_sealer import StreamSealer

KEY = SecretBytes(bytes(range(32)))
AAD = b"blob-1"
TAG = 16


def _pieces(data: bytes, cuts: list[int]) -> list[bytes]:
    """Split ``data`` at the given (unsorted, possibly repeated) offsets."""
    points = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in pairwise(points)] or [b""]


def _chunks(blob: bytes, chunk_size: int) -> tuple[bytes, list[bytes]]:
    body = blob[HEADER_SIZE:]
    step = chunk_size + TAG
    return blob[:HEADER_SIZE], [body[i : i + step] for i in range(0, len(body), step)]


def _reader(blob: bytes) -> Callable[[int, int], bytes]:
    return lambda offset, size: blob[offset : offset + size]


@given(
    st.binary(max_size=3000),
    st.integers(1, 300),
    st.lists(st.integers(0, 4000), max_size=8),
    st.lists(st.integers(0, 4000), max_size=8),
)
def test_round_trip_any_piece_sizes(
    data: bytes, chunk_size: int, cuts: list[int], ct_cuts: list[int]
) -> None:
    blob = b"".join(encrypt_stream(KEY, _pieces(data, cuts), AAD, chunk_size))
    chunks = max(1, -(-len(data) // chunk_size))
    assert len(blob) == HEADER_SIZE + len(data) + chunks * TAG
    assert plaintext_size(len(blob), chunk_size) == len(data)
    assert decrypt_bytes(KEY, blob, AAD) == data
    assert b"".join(decrypt_stream(KEY, _pieces(blob, ct_cuts), AAD)) == data


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 128, 192, 200])
def test_exact_multiples_and_edges(size: int) -> None:
    data = os.urandom(size)
    blob = encrypt_bytes(KEY, data, AAD, chunk_size=64)
    header, chunks = _chunks(blob, 64)
    assert len(chunks) == max(1, -(-size // 64))
    assert read_header(header).chunk_size == 64
    assert decrypt_bytes(KEY, blob, AAD) == data


def test_empty_plaintext_is_one_empty_final_chunk() -> None:
    blob = encrypt_bytes(KEY, b"", AAD)
    assert len(blob) == HEADER_SIZE + TAG
    assert decrypt_bytes(KEY, blob, AAD) == b""
    assert list(decrypt_stream(KEY, [blob], AAD)) == [b""]


def test_default_chunk_size_and_header_layout() -> None:
    blob = encrypt_bytes(KEY, b"x" * 70000, AAD)
    assert blob[0] == 0x01
    assert int.from_bytes(blob[1:5], "big") == 65536
    assert read_header(blob).nonce_prefix == blob[5:12]
    assert encrypt_bytes(KEY, b"x", AAD)[5:12] != blob[5:12]


def test_encrypt_stream_yields_header_then_one_item_per_chunk() -> None:
    parts = list(encrypt_stream(KEY, [b"a" * 10, b"b" * 25], AAD, chunk_size=8))
    assert len(parts[0]) == HEADER_SIZE
    assert [len(p) for p in parts[1:]] == [24, 24, 24, 24, 19]


@given(st.binary(max_size=2000), st.integers(1, 200), st.integers(0, 2100), st.integers(0, 2100))
@settings(max_examples=200)
def test_decrypt_range_matches_slice(data: bytes, chunk_size: int, start: int, length: int) -> None:
    blob = encrypt_bytes(KEY, data, AAD, chunk_size)
    reads: list[tuple[int, int]] = []

    def read_at(offset: int, size: int) -> bytes:
        reads.append((offset, size))
        return blob[offset : offset + size]

    assert (
        decrypt_range(KEY, read_at, len(blob), AAD, start, length) == data[start : start + length]
    )
    # Header, the covering chunks and the final chunk only: never the whole blob.
    end = min(start + length, len(data))
    covering = (end - 1) // chunk_size - start // chunk_size + 1 if start < end else 0
    assert len(reads) <= 1 + covering + 1


def test_decrypt_range_refuses_negative_arguments() -> None:
    blob = encrypt_bytes(KEY, b"hello", AAD)
    with pytest.raises(ValueError):
        decrypt_range(KEY, _reader(blob), len(blob), AAD, -1, 2)
    with pytest.raises(ValueError):
        decrypt_range(KEY, _reader(blob), len(blob), AAD, 0, -2)


def _flip(blob: bytes, bit: int) -> bytes:
    forged = bytearray(blob)
    forged[bit // 8] ^= 1 << (bit % 8)
    return bytes(forged)


def test_every_bit_flip_is_refused() -> None:
    blob = encrypt_bytes(KEY, bytes(range(40)), AAD, chunk_size=16)
    for bit in range(len(blob) * 8):
        forged = _flip(blob, bit)
        with pytest.raises((DecryptionError, FormatError)):
            decrypt_bytes(KEY, forged, AAD)
        with pytest.raises((DecryptionError, FormatError)):
            decrypt_range(KEY, _reader(forged), len(forged), AAD, 0, 40)


@given(st.binary(min_size=1, max_size=500), st.integers(1, 64), st.data())
@settings(max_examples=50)
def test_random_bit_flip_is_refused(data: bytes, chunk_size: int, draw: st.DataObject) -> None:
    blob = encrypt_bytes(KEY, data, AAD, chunk_size)
    forged = _flip(blob, draw.draw(st.integers(0, len(blob) * 8 - 1)))
    with pytest.raises((DecryptionError, FormatError)):
        decrypt_bytes(KEY, forged, AAD)


def test_every_truncation_is_refused() -> None:
    blob = encrypt_bytes(KEY, bytes(range(40)), AAD, chunk_size=16)
    for cut in range(len(blob)):
        expected = FormatError if cut < HEADER_SIZE else DecryptionError
        with pytest.raises(expected):
            decrypt_bytes(KEY, blob[:cut], AAD)
        with pytest.raises(expected):
            decrypt_range(KEY, _reader(blob[:cut]), cut, AAD, 0, 1)


def test_decrypt_range_refuses_a_total_size_that_lies() -> None:
    blob = encrypt_bytes(KEY, bytes(range(40)), AAD, chunk_size=16)
    for total in [len(blob) - 1, len(blob) + 1, len(blob) - 32]:
        with pytest.raises(DecryptionError):
            decrypt_range(KEY, _reader(blob), total, AAD, 0, 1)


@pytest.mark.parametrize(
    "rearrange",
    [
        pytest.param(lambda c: c[:-1], id="drop-last"),
        pytest.param(lambda c: [c[0], *c[2:]], id="drop-middle"),
        pytest.param(lambda c: [c[1], c[0], *c[2:]], id="swap"),
        pytest.param(lambda c: [c[0], c[0], *c[1:]], id="duplicate"),
        pytest.param(lambda c: [*c[:-1], c[-1], c[-1]], id="duplicate-last"),
        pytest.param(lambda c: [*c[:-2], c[-1], c[-2]], id="swap-last"),
    ],
)
def test_chunk_rearrangements_are_refused(rearrange: Callable[[list[bytes]], list[bytes]]) -> None:
    blob = encrypt_bytes(KEY, os.urandom(100), AAD, chunk_size=16)
    header, chunks = _chunks(blob, 16)
    forged = header + b"".join(rearrange(chunks))
    with pytest.raises(DecryptionError):
        decrypt_bytes(KEY, forged, AAD)


def test_truncated_stream_raises_at_its_end() -> None:
    blob = encrypt_bytes(KEY, bytes(64), AAD, chunk_size=16)
    header, chunks = _chunks(blob, 16)
    opened = decrypt_stream(KEY, [header, *chunks[:-1]], AAD)
    assert next(opened) == bytes(16)
    with pytest.raises(DecryptionError):
        list(opened)


def test_header_tampering_is_refused() -> None:
    blob = encrypt_bytes(KEY, os.urandom(64), AAD, chunk_size=16)
    resized = blob[:1] + (32).to_bytes(4, "big") + blob[5:]
    with pytest.raises(DecryptionError):
        decrypt_bytes(KEY, resized, AAD)
    other = encrypt_bytes(KEY, os.urandom(64), AAD, chunk_size=16)
    with pytest.raises(DecryptionError):
        decrypt_bytes(KEY, other[:HEADER_SIZE] + blob[HEADER_SIZE:], AAD)
    with pytest.raises(FormatError, match="version"):
        decrypt_bytes(KEY, b"\x02" + blob[1:], AAD)


def test_wrong_key_or_aad_is_refused() -> None:
    blob = encrypt_bytes(KEY, b"hello", AAD)
    with pytest.raises(DecryptionError):
        decrypt_bytes(SecretBytes(bytes(32)), blob, AAD)
    with pytest.raises(DecryptionError):
        decrypt_bytes(KEY, blob, b"blob-2")
    with pytest.raises(DecryptionError):
        decrypt_range(KEY, _reader(blob), len(blob), b"blob-2", 0, 5)


@pytest.mark.parametrize(
    "first",
    [
        b"",
        b"\x01" + bytes(10),
        b"\x01" + bytes(11),
        b"\x01" + (MAX_CHUNK_SIZE + 1).to_bytes(4, "big") + bytes(7),
    ],
)
def test_malformed_headers(first: bytes) -> None:
    with pytest.raises(FormatError):
        read_header(first)


@pytest.mark.parametrize("chunk_size", [0, -1, MAX_CHUNK_SIZE + 1])
def test_invalid_chunk_sizes_are_refused(chunk_size: int) -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        encrypt_bytes(KEY, b"x", AAD, chunk_size)


def test_plaintext_size_refuses_impossible_sizes() -> None:
    for total in [0, HEADER_SIZE, HEADER_SIZE + TAG - 1, HEADER_SIZE + 32 + 5]:
        with pytest.raises(FormatError):
            plaintext_size(total, 16)


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 48])
def test_stream_sealer_output_is_read_by_decrypt_bytes(size: int) -> None:
    key = SecretBytes(bytes(range(32)))
    data = bytes(range(size))
    sealer = StreamSealer(key, b"aad", chunk_size=16)
    starts = list(range(0, max(size, 1), 16))
    sealed = sealer.header + b"".join(
        sealer.seal(data[at : at + 16], last=at == starts[-1]) for at in starts
    )
    assert decrypt_bytes(key, sealed, b"aad") == data
    with pytest.raises(ValueError, match="already"):
        sealer.seal(b"", last=True)
