"""crypto.aead: round trips, format errors and tamper resistance."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.aead import OVERHEAD, open_sealed, seal
from crypto.errors import DecryptionError, FormatError
from crypto.secret_value import SecretBytes

KEY = SecretBytes(bytes(range(32)))
keys = st.binary(min_size=32, max_size=32).map(SecretBytes)


@given(keys, st.binary(max_size=2048), st.binary(max_size=64))
def test_round_trip(key: SecretBytes, plaintext: bytes, aad: bytes) -> None:
    blob = seal(key, plaintext, aad)
    assert blob[0] == 0x01
    assert len(blob) == len(plaintext) + OVERHEAD
    assert open_sealed(key, blob, aad) == plaintext


def test_nonces_are_fresh() -> None:
    assert seal(KEY, b"same", b"") != seal(KEY, b"same", b"")


def test_every_bit_flip_is_refused() -> None:
    blob = seal(KEY, b"attack at dawn", b"ctx")
    for bit in range(len(blob) * 8):
        forged = bytearray(blob)
        forged[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises((DecryptionError, FormatError)):
            open_sealed(KEY, bytes(forged), b"ctx")


@given(st.binary(max_size=256), st.data())
def test_random_bit_flip_is_refused(plaintext: bytes, data: st.DataObject) -> None:
    blob = seal(KEY, plaintext, b"")
    bit = data.draw(st.integers(0, len(blob) * 8 - 1))
    forged = bytearray(blob)
    forged[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises((DecryptionError, FormatError)):
        open_sealed(KEY, bytes(forged), b"")


def test_wrong_key_or_aad_is_decryption_error() -> None:
    blob = seal(KEY, b"x", b"ctx")
    with pytest.raises(DecryptionError, match="wrong key or tampered"):
        open_sealed(SecretBytes(bytes(32)), blob, b"ctx")
    with pytest.raises(DecryptionError):
        open_sealed(KEY, blob, b"other")


def test_truncation_and_extension_are_refused() -> None:
    blob = seal(KEY, b"hello", b"")
    for cut in range(len(blob)):
        with pytest.raises((DecryptionError, FormatError)):
            open_sealed(KEY, blob[:cut], b"")
    with pytest.raises(DecryptionError):
        open_sealed(KEY, blob + b"\x00", b"")


def test_short_and_unknown_version_are_format_errors() -> None:
    with pytest.raises(FormatError, match="too short"):
        open_sealed(KEY, b"\x01" + bytes(27), b"")
    blob = seal(KEY, b"hello", b"")
    with pytest.raises(FormatError, match="version"):
        open_sealed(KEY, b"\x02" + blob[1:], b"")


@pytest.mark.parametrize("size", [0, 16, 24, 31, 33])
def test_wrong_key_size_is_refused(size: int) -> None:
    with pytest.raises(ValueError, match="32-byte key"):
        seal(SecretBytes(bytes(size)), b"x", b"")
