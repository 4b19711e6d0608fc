"""Password keys: one Argon2id run (RFC 9106) split by HKDF-SHA256 (RFC 5869) into two keys.

The construction, kept simple so that a browser reproduces it with hash-wasm's argon2id
and WebCrypto's HKDF::

    pw   = UTF-8(NFC(password))                 # JS: new TextEncoder().encode(pw.normalize("NFC"))
    root = Argon2id(pw, salt, t, m KiB, p, version 0x13, tag length 32, no secret, no AD)
    auth = HKDF-SHA256(ikm=root, salt=empty, info="sealbox/v1/password/auth", L=32)
    kek  = HKDF-SHA256(ikm=root, salt=empty, info="sealbox/v1/password/kek",  L=32)

An empty HKDF salt equals RFC 5869's default of 32 zero bytes (HMAC pads its key with
zeros), so WebCrypto's ``salt: new Uint8Array(0)`` gives the same result. ``auth`` goes to
the server's verifier and ``kek`` wraps MK, so knowing the verifier never unlocks mail.
Argon2id with 64 MiB takes a noticeable fraction of a second; async callers run it off
the event loop and bound how many run at once.
"""

import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto.errors import FormatError
from crypto.secret_value import SecretBytes, SecretStr

__all__ = [
    "DEFAULT_ARGON2",
    "INFO_PASSWORD_AUTH",
    "INFO_PASSWORD_KEK",
    "SALT_SIZE",
    "TEST_ARGON2",
    "Argon2Params",
    "PasswordKeys",
    "derive_password_keys",
    "hkdf_sha256",
    "new_salt",
]

SALT_SIZE = 16
INFO_PASSWORD_AUTH = b"sealbox/v1/password/auth"
INFO_PASSWORD_KEK = b"sealbox/v1/password/kek"
_ARGON2_VERSION = 0x13
_PARAM_FIELDS = ("time_cost", "memory_kib", "parallelism")


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost parameters; the defaults are RFC 9106 section 4's second recommendation."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4

    def __post_init__(self) -> None:
        for name in _PARAM_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"Argon2 {name} must be an int")
        if self.time_cost < 1:
            raise ValueError("Argon2 time_cost must be at least 1")
        if not 1 <= self.parallelism <= 0xFFFFFF:
            raise ValueError("Argon2 parallelism must be between 1 and 2**24 - 1")
        if self.memory_kib < 8 * self.parallelism:
            raise ValueError("Argon2 memory_kib must be at least 8 * parallelism")

    def to_dict(self) -> dict[str, int]:
        """Return the parameters as plain ints, to store next to the salt."""
        return {name: getattr(self, name) for name in _PARAM_FIELDS}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Rebuild stored parameters; FormatError if a field is missing, extra or invalid."""
        if set(data) != set(_PARAM_FIELDS):
            raise FormatError("Argon2 parameters must have exactly " + ", ".join(_PARAM_FIELDS))
        try:
            return cls(**data)  # type: ignore[arg-type]  # __post_init__ checks the types
        except ValueError as error:
            raise FormatError(f"invalid Argon2 parameters: {error}") from None


DEFAULT_ARGON2 = Argon2Params()
# Cheap parameters so that test suites stay fast; never use them for real accounts.
TEST_ARGON2 = Argon2Params(time_cost=1, memory_kib=8192, parallelism=1)


@dataclass(frozen=True, repr=False)
class PasswordKeys:
    """The two independent keys derived from a password."""

    auth_key: SecretBytes
    kek: SecretBytes

    def __repr__(self) -> str:
        return "PasswordKeys(auth_key=<redacted>, kek=<redacted>)"

    __str__ = __repr__


def new_salt() -> bytes:
    """Return a fresh random 16-byte salt (RFC 9106 recommends 128 bits)."""
    return secrets.token_bytes(SALT_SIZE)


def hkdf_sha256(ikm: bytes, info: bytes, length: int = 32, salt: bytes | None = None) -> bytes:
    """RFC 5869 HKDF-SHA256 extract-and-expand; ``salt=None`` means 32 zero bytes."""
    return HKDF(algorithm=SHA256(), length=length, salt=salt, info=info).derive(ikm)


def derive_password_keys(
    password: SecretStr | str, salt: bytes, params: Argon2Params
) -> PasswordKeys:
    """Run Argon2id once over the password and split the result into ``auth`` and ``kek``."""
    if len(salt) < SALT_SIZE:
        raise ValueError(f"password salt must be at least {SALT_SIZE} bytes")
    text = password.reveal() if isinstance(password, SecretStr) else password
    root = hash_secret_raw(
        secret=unicodedata.normalize("NFC", text).encode("utf-8"),
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
        version=_ARGON2_VERSION,
    )
    return PasswordKeys(
        auth_key=SecretBytes(hkdf_sha256(root, INFO_PASSWORD_AUTH)),
        kek=SecretBytes(hkdf_sha256(root, INFO_PASSWORD_KEK)),
    )
