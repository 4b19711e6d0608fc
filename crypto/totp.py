"""Time-based one-time passwords (RFC 6238) via pyotp, with replay refusal.

Parameters are the ones every authenticator app supports: HMAC-SHA1, 30-second steps,
6 digits. A code is accepted one step either side of now (RFC 6238 section 5.2 allows
for clock drift and typing time), and only if its step is later than the last step
accepted for the account, so a code seen over a shoulder cannot be replayed.
"""

import re
from datetime import datetime

import pyotp

from crypto.secret_value import SecretStr

__all__ = ["DIGITS", "STEP_SECONDS", "current_code", "new_totp_secret", "totp_uri", "verify_totp"]

STEP_SECONDS = 30
DIGITS = 6
_WINDOW = 1
# ASCII only: pyotp normalises with NFKC, which would let full-width digits through.
_CODE = re.compile(r"[0-9]{6}")


def _totp(secret: SecretStr) -> pyotp.TOTP:
    return pyotp.TOTP(secret.reveal(), digits=DIGITS, interval=STEP_SECONDS)


def _timestamp(at: datetime | None) -> float | None:
    if at is None:
        return None
    # pyotp reads naive datetimes as local time; refuse the ambiguity instead.
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at must be a timezone-aware datetime")
    return at.timestamp()


def new_totp_secret() -> SecretStr:
    """Return a fresh base32 secret of 32 characters (160 bits, RFC 4226's recommendation)."""
    return SecretStr(pyotp.random_base32(32))


def totp_uri(secret: SecretStr, *, account: str, issuer: str = "Sealbox") -> str:
    """Return the ``otpauth://totp/...`` provisioning URI that authenticator apps scan."""
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def verify_totp(
    secret: SecretStr, code: str, *, last_used_step: int | None, at: datetime | None = None
) -> int | None:
    """Return the matched time step if ``code`` is valid and unused, else None.

    Store the returned step as the account's new ``last_used_step``.
    """
    compact = "".join(code.split())
    if not _CODE.fullmatch(compact):
        return None
    try:
        step = _totp(secret).verify_and_get_timecode(
            compact, for_time=_timestamp(at), valid_window=_WINDOW
        )
    except pyotp.exceptions.OTPVerificationError:
        return None
    if last_used_step is not None and step <= last_used_step:
        return None
    return step


def current_code(secret: SecretStr, at: datetime | None = None) -> str:
    """Return the code for ``at`` (default now), for tests and the CLI."""
    timestamp = _timestamp(at)
    totp = _totp(secret)
    return totp.now() if timestamp is None else totp.at(timestamp)
