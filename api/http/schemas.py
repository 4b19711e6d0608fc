"""Wire shapes of the /auth API (camelCase JSON, like JMAP)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

__all__ = [
    "AccountInfo",
    "ErrorBody",
    "LoginRequest",
    "PasswordChangeRequest",
    "RecoverRequest",
    "RecoverResponse",
    "SignedInResponse",
    "TotpRequest",
    "TotpRequiredResponse",
]

# Long enough for any sane password, short enough that parsing stays cheap.
Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
Username = Annotated[str, msgspec.Meta(min_length=1, max_length=320)]
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class _Wire(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    pass


class LoginRequest(_Wire, frozen=True, kw_only=True):
    username: Username
    password: Secret

    def __repr__(self) -> str:
        return f"LoginRequest(username={self.username!r}, password=<redacted>)"


class TotpRequest(_Wire, frozen=True, kw_only=True):
    challenge: Token
    code: Annotated[str, msgspec.Meta(max_length=20)]

    def __repr__(self) -> str:
        return "TotpRequest(<redacted>)"


class PasswordChangeRequest(_Wire, frozen=True, kw_only=True):
    current_password: Secret
    new_password: Secret

    def __repr__(self) -> str:
        return "PasswordChangeRequest(<redacted>)"


class RecoverRequest(_Wire, frozen=True, kw_only=True):
    username: Username
    recovery_code: Token
    new_password: Secret

    def __repr__(self) -> str:
        return f"RecoverRequest(username={self.username!r}, <secrets redacted>)"


class SignedInResponse(_Wire, frozen=True, kw_only=True):
    token: str
    account_id: str
    username: str


class TotpRequiredResponse(_Wire, frozen=True, kw_only=True):
    """A second factor completes the sign-in: a TOTP code at /auth/totp when
    `totpRequired`, a passkey at /auth/passkeys/verify (with `passkeyOptions`, WebAuthn
    PublicKeyCredentialRequestOptions JSON) when `passkeyRequired`. Either one suffices."""

    totp_required: bool = True
    passkey_required: bool = False
    challenge: str
    passkey_options: dict[str, Any] | None = None


class AccountInfo(_Wire, frozen=True, kw_only=True):
    account_id: str
    username: str


class RecoverResponse(_Wire, frozen=True, kw_only=True):
    # The used recovery code is spent; this one replaces it and is shown once.
    recovery_code: str


class ErrorBody(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    error: str
    detail: str
    retry_after: int | None = None
