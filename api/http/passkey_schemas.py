"""Wire shapes of /auth/passkeys (camelCase JSON). WebAuthn credentials and options travel
as their standard JSON forms (RegistrationResponseJSON, AuthenticationResponseJSON,
PublicKeyCredential*OptionsJSON), binary fields base64url."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from api.http.schemas import Token

__all__ = [
    "PasskeyInfo",
    "PasskeyLoginRequest",
    "PasskeyRegisterRequest",
    "PasskeyRemoveRequest",
    "PasskeyRenameRequest",
    "PasskeyVerifyRequest",
]

Name = Annotated[str, msgspec.Meta(max_length=100)]
# A base64url PRF output (32 bytes -> 43 characters); a little slack, no more.
PrfOutput = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class _Wire(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    pass


class PasskeyRegisterRequest(_Wire, frozen=True, kw_only=True):
    credential: dict[str, Any]
    name: Name = ""
    # The credential's PRF output (extensions.prf, evaluated over the salt the options
    # named): when present, MK gets a slot under it and the passkey can unlock mail.
    prf_output: PrfOutput | None = None

    def __repr__(self) -> str:
        return "PasskeyRegisterRequest(<redacted>)"


class PasskeyVerifyRequest(_Wire, frozen=True, kw_only=True):
    challenge: Token
    credential: dict[str, Any]
    prf_output: PrfOutput | None = None

    def __repr__(self) -> str:
        return "PasskeyVerifyRequest(<redacted>)"


class PasskeyLoginRequest(_Wire, frozen=True, kw_only=True):
    credential: dict[str, Any]
    prf_output: PrfOutput | None = None

    def __repr__(self) -> str:
        return "PasskeyLoginRequest(<redacted>)"


class PasskeyRemoveRequest(_Wire, frozen=True, kw_only=True):
    # An assertion answering /auth/passkeys/remove/options: needed only when the passkey
    # is the account's last second factor.
    credential: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return "PasskeyRemoveRequest(<redacted>)"


class PasskeyRenameRequest(_Wire, frozen=True, kw_only=True):
    name: Name


class PasskeyInfo(_Wire, frozen=True, kw_only=True):
    id: str
    name: str
    created_at: int
    last_used_day: int | None
    # Whether this passkey unlocks mail by itself (it gave a PRF output).
    can_unlock: bool
