"""Bearer tokens for sessions and TOTP login challenges (DESIGN "Sessions").

A token is ``prefix || base64url-no-padding(id (16 bytes) || key (32 bytes))``. The client
holds the whole token; the server stores only ``id_hash`` = SHA-256(label || 0x00 || id)
as the row key, next to MK wrapped under ``key``. A database dump therefore holds
neither the ids nor the keys, and nothing at rest unlocks MK.
"""

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass

from crypto.errors import FormatError
from crypto.secret_value import SecretBytes

__all__ = [
    "CHALLENGE_PREFIX",
    "SESSION_PREFIX",
    "SessionToken",
    "new_challenge_token",
    "new_session_token",
    "parse_challenge_token",
    "parse_session_token",
]

SESSION_PREFIX = "sbs1_"
CHALLENGE_PREFIX = "sbc1_"
_ID_SIZE = 16
_KEY_SIZE = 32
# 48 bytes encode to exactly 64 base64 characters with no padding bits, so each valid
# token string has one decoding and one decoding only.
_BODY = re.compile(r"[A-Za-z0-9_-]{64}")
_ID_LABELS = {
    SESSION_PREFIX: b"sealbox/v1/session-id\x00",
    CHALLENGE_PREFIX: b"sealbox/v1/challenge-id\x00",
}


@dataclass(frozen=True, repr=False)
class SessionToken:
    """A parsed token: the string the client holds, the server's lookup hash, and the key."""

    token: str
    id_hash: bytes
    session_key: SecretBytes

    def __repr__(self) -> str:
        return f"SessionToken(id_hash={self.id_hash.hex()}, token=<redacted>, key=<redacted>)"

    __str__ = __repr__


def _new(prefix: str) -> SessionToken:
    token_id = secrets.token_bytes(_ID_SIZE)
    key = secrets.token_bytes(_KEY_SIZE)
    body = base64.urlsafe_b64encode(token_id + key).rstrip(b"=").decode("ascii")
    return _build(prefix, prefix + body, token_id, key)


def _build(prefix: str, token: str, token_id: bytes, key: bytes) -> SessionToken:
    id_hash = hashlib.sha256(_ID_LABELS[prefix] + token_id).digest()
    return SessionToken(token=token, id_hash=id_hash, session_key=SecretBytes(key))


def _parse(prefix: str, token: str, kind: str) -> SessionToken:
    # Messages name what is wrong but never echo the token: it is a credential.
    if not isinstance(token, str) or not token.startswith(prefix):
        raise FormatError(f"not a {kind} token")
    body = token[len(prefix) :]
    if not _BODY.fullmatch(body):
        raise FormatError(f"malformed {kind} token")
    raw = base64.urlsafe_b64decode(body)
    return _build(prefix, token, raw[:_ID_SIZE], raw[_ID_SIZE:])


def new_session_token() -> SessionToken:
    """Return a fresh session token (prefix ``sbs1_``)."""
    return _new(SESSION_PREFIX)


def parse_session_token(token: str) -> SessionToken:
    """Parse a session token; FormatError if it is anything but a well-formed one."""
    return _parse(SESSION_PREFIX, token, "session")


def new_challenge_token() -> SessionToken:
    """Return a fresh short-lived login challenge token (prefix ``sbc1_``) for TOTP logins."""
    return _new(CHALLENGE_PREFIX)


def parse_challenge_token(token: str) -> SessionToken:
    """Parse a challenge token; FormatError if it is anything but a well-formed one."""
    return _parse(CHALLENGE_PREFIX, token, "challenge")
