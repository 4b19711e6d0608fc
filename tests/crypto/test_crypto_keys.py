"""crypto.verifier, crypto.master_key, crypto.slots and crypto.keypair."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.errors import DecryptionError, FormatError
from crypto.keypair import (
    AccountKeyPair,
    generate_keypair,
    unwrap_private_key,
    wrap_private_key,
)
from crypto.master_key import (
    SUBKEY_CONTACTS,
    SUBKEY_MAILBOX_NAMES,
    SUBKEY_PRIVATE_KEY,
    SUBKEY_SEARCH,
    SUBKEY_SETTINGS,
    SUBKEY_SUMMARIES,
    MasterKey,
)
from crypto.secret_value import SecretBytes
from crypto.slots import unwrap_master_key, wrap_master_key
from crypto.verifier import check_verifier, make_verifier

KEK = SecretBytes(bytes(range(32)))
MK = MasterKey(bytes(range(100, 132)))
ids = st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s)
slot_names = st.sampled_from(["password", "app-password:abc", "recovery", "session", "passkey:1"])


def _flips(blob: bytes) -> list[bytes]:
    out = []
    for bit in range(len(blob) * 8):
        forged = bytearray(blob)
        forged[bit // 8] ^= 1 << (bit % 8)
        out.append(bytes(forged))
    return out


def test_verifier_checks() -> None:
    stored = make_verifier(KEK)
    assert len(stored) == 32
    assert check_verifier(KEK, stored)
    assert not check_verifier(SecretBytes(bytes(32)), stored)
    assert not check_verifier(KEK, stored[:-1])
    assert not check_verifier(KEK, b"")


def test_master_key_generate_and_type() -> None:
    mk = MasterKey.generate()
    assert isinstance(mk, SecretBytes)
    assert len(mk) == 32
    assert mk != MasterKey.generate()
    with pytest.raises(ValueError, match="32 bytes"):
        MasterKey(bytes(16))


def test_subkeys_are_distinct_and_stable() -> None:
    labels = [
        SUBKEY_PRIVATE_KEY,
        SUBKEY_SETTINGS,
        SUBKEY_CONTACTS,
        SUBKEY_SUMMARIES,
        SUBKEY_MAILBOX_NAMES,
        SUBKEY_SEARCH,
    ]
    subkeys = [MK.subkey(label).reveal() for label in labels]
    assert len(set(subkeys)) == len(labels)
    assert MK.subkey(SUBKEY_SETTINGS) == MK.subkey("settings")
    assert MasterKey.generate().subkey(SUBKEY_SETTINGS) != MK.subkey(SUBKEY_SETTINGS)
    with pytest.raises(ValueError):
        MK.subkey("")


@given(ids, slot_names)
def test_slot_round_trip(account_id: str, slot: str) -> None:
    mk = MasterKey.generate()
    wrapped = wrap_master_key(KEK, mk, account_id=account_id, slot=slot)
    got = unwrap_master_key(KEK, wrapped, account_id=account_id, slot=slot)
    assert isinstance(got, MasterKey)
    assert got == mk


def test_slot_is_bound_to_key_account_and_slot() -> None:
    wrapped = wrap_master_key(KEK, MK, account_id="a1", slot="password")
    with pytest.raises(DecryptionError):
        unwrap_master_key(SecretBytes(bytes(32)), wrapped, account_id="a1", slot="password")
    with pytest.raises(DecryptionError):
        unwrap_master_key(KEK, wrapped, account_id="a2", slot="password")
    with pytest.raises(DecryptionError):
        unwrap_master_key(KEK, wrapped, account_id="a1", slot="recovery")


def test_slot_contexts_cannot_be_confused_through_nul() -> None:
    with pytest.raises(ValueError, match="NUL"):
        wrap_master_key(KEK, MK, account_id="a\x00password", slot="x")
    with pytest.raises(ValueError, match="non-empty"):
        wrap_master_key(KEK, MK, account_id="", slot="password")


def test_slot_bit_flips_are_refused() -> None:
    wrapped = wrap_master_key(KEK, MK, account_id="a1", slot="password")
    for forged in _flips(wrapped):
        with pytest.raises((DecryptionError, FormatError)):
            unwrap_master_key(KEK, forged, account_id="a1", slot="password")


def test_keypair_shape() -> None:
    pair = generate_keypair()
    assert len(pair.public_key) == 32
    assert len(pair.private_key) == 32
    assert generate_keypair().public_key != pair.public_key
    with pytest.raises(ValueError):
        AccountKeyPair(public_key=b"short", private_key=pair.private_key)


@given(ids)
def test_private_key_round_trip(account_id: str) -> None:
    pair = generate_keypair()
    wrapped = wrap_private_key(MK, pair.private_key, account_id=account_id)
    assert unwrap_private_key(MK, wrapped, account_id=account_id) == pair.private_key


def test_private_key_is_bound_to_master_key_and_account() -> None:
    pair = generate_keypair()
    wrapped = wrap_private_key(MK, pair.private_key, account_id="a1")
    with pytest.raises(DecryptionError):
        unwrap_private_key(MasterKey.generate(), wrapped, account_id="a1")
    with pytest.raises(DecryptionError):
        unwrap_private_key(MK, wrapped, account_id="a2")
    for forged in _flips(wrapped):
        with pytest.raises((DecryptionError, FormatError)):
            unwrap_private_key(MK, forged, account_id="a1")


def test_private_key_wrap_is_not_a_slot() -> None:
    """The private key is sealed under a subkey, not MK itself, with its own AAD."""
    pair = generate_keypair()
    wrapped = wrap_private_key(MK, pair.private_key, account_id="a1")
    with pytest.raises(DecryptionError):
        unwrap_master_key(MK, wrapped, account_id="a1", slot="private-key")
