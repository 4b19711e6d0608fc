"""High-entropy codes that people type (app passwords, recovery codes) and their keys.

A code is 8 to 16 groups of 4 characters from the RFC 4648 base32 alphabet, lowercased
(``abcd-efgh-...``); the default 8 groups carry 160 bits. With at least 144 bits of
entropy nobody can guess a code, offline or not, so a fast HKDF is a sound KDF and
verifier here: Argon2 would only make every IMAP reconnect slow. From one code::

    ikm      = the normalized code (no dashes, lowercase ASCII)
    verifier = HKDF-SHA256(ikm, salt, info="sealbox/v1/code/" || purpose || "/verifier", L=32)
    kek      = HKDF-SHA256(ikm, salt, info="sealbox/v1/code/" || purpose || "/kek", L=32)
"""

import hmac
import secrets
from dataclasses import dataclass

from crypto.errors import FormatError
from crypto.kdf import hkdf_sha256
from crypto.secret_value import SecretBytes

__all__ = [
    "ALPHABET",
    "CodeKeys",
    "check_code_verifier",
    "derive_code_keys",
    "generate_code",
    "normalize_code",
]

ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_GROUP = 4
_MIN_GROUPS = 8  # 8 * 4 * 5 = 160 bits, the first size above the 144-bit floor
_MAX_GROUPS = 16
_ALPHABET_SET = frozenset(ALPHABET)
_INFO_PREFIX = b"sealbox/v1/code/"


@dataclass(frozen=True, repr=False)
class CodeKeys:
    """What a code derives: the verifier the server stores and the key that wraps MK."""

    verifier: bytes
    kek: SecretBytes

    def __repr__(self) -> str:
        return "CodeKeys(verifier=<redacted>, kek=<redacted>)"

    __str__ = __repr__


def generate_code(groups: int = _MIN_GROUPS) -> str:
    """Return a fresh random code of ``groups`` dash-separated groups of 4 characters."""
    if not _MIN_GROUPS <= groups <= _MAX_GROUPS:
        raise ValueError(f"a code has {_MIN_GROUPS} to {_MAX_GROUPS} groups")
    chars = [secrets.choice(ALPHABET) for _ in range(groups * _GROUP)]
    return "-".join("".join(chars[i : i + _GROUP]) for i in range(0, len(chars), _GROUP))


def normalize_code(text: str) -> str:
    """Drop whitespace and dashes and lowercase; FormatError if the rest is not a code."""
    compact = "".join(ch for ch in text if ch != "-" and not ch.isspace()).lower()
    # Neither message echoes the input: it is a secret, possibly with a typo in it.
    if not _ALPHABET_SET.issuperset(compact):
        raise FormatError("code contains characters outside a-z and 2-7")
    length = len(compact)
    if length % _GROUP or not _MIN_GROUPS * _GROUP <= length <= _MAX_GROUPS * _GROUP:
        raise FormatError("code has the wrong length")
    return compact


def derive_code_keys(code: str, salt: bytes, purpose: str) -> CodeKeys:
    """Derive the verifier and kek of a code for ``purpose`` (e.g. "app-password")."""
    if not purpose or "\x00" in purpose:
        raise ValueError("a code purpose must be non-empty and free of NUL")
    ikm = normalize_code(code).encode("ascii")
    info = _INFO_PREFIX + purpose.encode("utf-8")
    return CodeKeys(
        verifier=hkdf_sha256(ikm, info + b"/verifier", salt=salt),
        kek=SecretBytes(hkdf_sha256(ikm, info + b"/kek", salt=salt)),
    )


def check_code_verifier(keys: CodeKeys, stored: bytes) -> bool:
    """Return whether the derived verifier matches the stored one, in constant time."""
    return hmac.compare_digest(keys.verifier, stored)
