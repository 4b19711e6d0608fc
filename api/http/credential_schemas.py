"""Wire shapes of the signed-in credential settings under /auth: app passwords and TOTP."""

from __future__ import annotations

from typing import Annotated

import msgspec

__all__ = [
    "AppPasswordCreateRequest",
    "AppPasswordCreated",
    "AppPasswordInfo",
    "AppPasswordList",
    "TotpCodeRequest",
    "TotpEnrolResponse",
    "TotpStatus",
]

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]


class _Wire(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    pass


class AppPasswordCreateRequest(_Wire, frozen=True, kw_only=True):
    # A label such as "Thunderbird, laptop"; blank names become "app password".
    name: Annotated[str, msgspec.Meta(max_length=100)]


class AppPasswordInfo(_Wire, frozen=True, kw_only=True):
    id: str
    name: str
    # RFC 3339 UTC date-time, like JMAP's UTCDate.
    created: str
    # YYYY-MM-DD of the last sign-in with it (day granularity only), or null if never.
    last_used_day: str | None


class AppPasswordList(_Wire, frozen=True, kw_only=True):
    app_passwords: list[AppPasswordInfo]


class AppPasswordCreated(_Wire, frozen=True, kw_only=True):
    id: str
    name: str
    created: str
    # Shown once: the server keeps only a verifier and the key slot it unlocks.
    secret: str

    def __repr__(self) -> str:
        return f"AppPasswordCreated({self.id!r}, secret=<redacted>)"


class TotpStatus(_Wire, frozen=True, kw_only=True):
    enabled: bool
    # An enrolment was started and waits for /auth/totp/confirm.
    pending: bool


class TotpEnrolResponse(_Wire, frozen=True, kw_only=True):
    otpauth_uri: str
    # The same base32 secret as in the URI, for apps that cannot scan a QR code.
    secret: str

    def __repr__(self) -> str:
        return "TotpEnrolResponse(<secret redacted>)"


class TotpCodeRequest(_Wire, frozen=True, kw_only=True):
    code: Code

    def __repr__(self) -> str:
        return "TotpCodeRequest(<redacted>)"
