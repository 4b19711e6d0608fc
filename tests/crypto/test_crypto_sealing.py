"""crypto.sealing: HPKE sealing to an account's public key."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.errors import DecryptionError, FormatError
from crypto.keypair import generate_keypair
from crypto.sealing import (
    new_data_key,
    open_data_key,
    open_data_keys,
    open_with_private_key,
    seal_data_key,
    seal_to_public_key,
)
from crypto.secret_value import SecretBytes

PAIR = generate_keypair()
ids = st.text(min_size=1, max_size=30).filter(lambda s: "\x00" not in s)


def test_data_keys_are_random_32_bytes() -> None:
    key = new_data_key()
    assert len(key) == 32
    assert key != new_data_key()


@given(st.binary(max_size=1024), st.binary(max_size=64))
@settings(max_examples=50)
def test_seal_round_trip(plaintext: bytes, info: bytes) -> None:
    sealed = seal_to_public_key(PAIR.public_key, plaintext, info=info)
    assert sealed[0] == 0x01
    assert open_with_private_key(PAIR.private_key, sealed, info=info) == plaintext


@given(ids, ids)
@settings(max_examples=50)
def test_data_key_round_trip(account_id: str, object_id: str) -> None:
    key = new_data_key()
    sealed = seal_data_key(PAIR.public_key, key, account_id=account_id, object_id=object_id)
    opened = open_data_key(PAIR.private_key, sealed, account_id=account_id, object_id=object_id)
    assert opened == key


def test_sealing_is_randomised() -> None:
    key = new_data_key()
    first = seal_data_key(PAIR.public_key, key, account_id="a", object_id="o")
    assert first != seal_data_key(PAIR.public_key, key, account_id="a", object_id="o")


def test_data_key_is_bound_to_recipient_account_and_object() -> None:
    sealed = seal_data_key(PAIR.public_key, new_data_key(), account_id="a", object_id="o")
    other = generate_keypair()
    with pytest.raises(DecryptionError):
        open_data_key(other.private_key, sealed, account_id="a", object_id="o")
    with pytest.raises(DecryptionError):
        open_data_key(PAIR.private_key, sealed, account_id="b", object_id="o")
    with pytest.raises(DecryptionError):
        open_data_key(PAIR.private_key, sealed, account_id="a", object_id="p")


def test_every_bit_flip_of_a_sealed_data_key_is_refused() -> None:
    sealed = seal_data_key(PAIR.public_key, new_data_key(), account_id="a", object_id="o")
    for bit in range(len(sealed) * 8):
        forged = bytearray(sealed)
        forged[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises((DecryptionError, FormatError)):
            open_data_key(PAIR.private_key, bytes(forged), account_id="a", object_id="o")


def test_truncations_are_refused() -> None:
    sealed = seal_to_public_key(PAIR.public_key, b"data", info=b"")
    for cut in range(len(sealed)):
        with pytest.raises((DecryptionError, FormatError)):
            open_with_private_key(PAIR.private_key, sealed[:cut], info=b"")


def test_malformed_inputs_are_format_errors() -> None:
    with pytest.raises(FormatError, match="too short"):
        open_with_private_key(PAIR.private_key, b"\x01" + bytes(47), info=b"")
    sealed = seal_to_public_key(PAIR.public_key, b"data", info=b"")
    with pytest.raises(FormatError, match="version"):
        open_with_private_key(PAIR.private_key, b"\x02" + sealed[1:], info=b"")
    with pytest.raises(FormatError, match="public key"):
        seal_to_public_key(b"short", b"data", info=b"")


def test_wrong_size_data_key_is_refused() -> None:
    with pytest.raises(ValueError):
        seal_data_key(PAIR.public_key, SecretBytes(bytes(16)), account_id="a", object_id="o")


def test_many_data_keys_open_in_order_and_each_is_bound() -> None:
    keys = [new_data_key() for _ in range(3)]
    sealed = [
        (seal_data_key(PAIR.public_key, k, account_id="a", object_id=f"o{n}"), "a", f"o{n}")
        for n, k in enumerate(keys)
    ]
    assert open_data_keys(PAIR.private_key, sealed) == keys
    assert open_data_keys(PAIR.private_key, []) == []
    swapped = [sealed[0], (sealed[1][0], "a", "o2")]  # one value under another's object id
    with pytest.raises(DecryptionError):
        open_data_keys(PAIR.private_key, swapped)
