"""crypto.kdf: Argon2 parameters, salts and password key derivation."""

import pytest

from crypto.errors import FormatError
from crypto.kdf import (
    TEST_ARGON2,
    Argon2Params,
    derive_password_keys,
    hkdf_sha256,
    new_salt,
)
from crypto.secret_value import SecretStr

SALT = bytes(range(16))


def test_params_round_trip_through_dict() -> None:
    params = Argon2Params(time_cost=2, memory_kib=19456, parallelism=1)
    stored = params.to_dict()
    assert stored == {"time_cost": 2, "memory_kib": 19456, "parallelism": 1}
    assert Argon2Params.from_dict(dict(stored)) == params


@pytest.mark.parametrize(
    "kwargs",
    [
        {"time_cost": 0},
        {"parallelism": 0},
        {"memory_kib": 31, "parallelism": 4},
        {"time_cost": 1.5},
        {"time_cost": True},
        {"memory_kib": "65536"},
    ],
)
def test_invalid_params_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="Argon2"):
        Argon2Params(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "stored",
    [
        {"time_cost": 1, "memory_kib": 8192},
        {"time_cost": 1, "memory_kib": 8192, "parallelism": 1, "extra": 1},
        {"time_cost": 0, "memory_kib": 8192, "parallelism": 1},
        {"time_cost": "1", "memory_kib": 8192, "parallelism": 1},
    ],
)
def test_malformed_stored_params_are_format_errors(stored: dict[str, object]) -> None:
    with pytest.raises(FormatError):
        Argon2Params.from_dict(stored)


def test_salts_are_random_16_bytes() -> None:
    assert len(new_salt()) == 16
    assert new_salt() != new_salt()


def test_keys_are_deterministic_and_independent() -> None:
    keys = derive_password_keys("pw", SALT, TEST_ARGON2)
    assert keys == derive_password_keys(SecretStr("pw"), SALT, TEST_ARGON2)
    assert keys.auth_key != keys.kek
    assert len(keys.auth_key) == len(keys.kek) == 32


def test_salt_password_and_params_all_matter() -> None:
    keys = derive_password_keys("pw", SALT, TEST_ARGON2)
    assert derive_password_keys("pw2", SALT, TEST_ARGON2) != keys
    assert derive_password_keys("pw", bytes(16), TEST_ARGON2) != keys
    slower = Argon2Params(time_cost=2, memory_kib=8192, parallelism=1)
    assert derive_password_keys("pw", SALT, slower) != keys


def test_passwords_are_nfc_normalised() -> None:
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    assert composed != decomposed
    assert derive_password_keys(composed, SALT, TEST_ARGON2) == derive_password_keys(
        decomposed, SALT, TEST_ARGON2
    )


def test_short_salt_is_refused() -> None:
    with pytest.raises(ValueError, match="salt"):
        derive_password_keys("pw", b"short", TEST_ARGON2)


def test_hkdf_info_and_length() -> None:
    assert hkdf_sha256(b"k", b"a") != hkdf_sha256(b"k", b"b")
    assert len(hkdf_sha256(b"k", b"a", length=64)) == 64
    assert hkdf_sha256(b"k", b"a", length=64)[:32] == hkdf_sha256(b"k", b"a")
