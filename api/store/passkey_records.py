"""Immutable records of passkeys and WebAuthn challenges that the store hands upward."""

from __future__ import annotations

import msgspec

from api.store.ids import AccountId, PasskeyId

__all__ = ["PasskeyRecord", "WebauthnChallengeRecord"]


class PasskeyRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: PasskeyId
    account_id: AccountId
    credential_id: bytes
    public_key: bytes
    sign_count: int
    transports: str
    name: str
    slot: bytes | None
    created_at: int
    last_used_day: int | None

    @property
    def can_unlock(self) -> bool:
        """Whether this passkey's PRF output wraps MK (passwordless sign-in)."""
        return self.slot is not None


class WebauthnChallengeRecord(msgspec.Struct, frozen=True, kw_only=True):
    challenge_hash: bytes
    purpose: str
    account_id: AccountId | None
    login_challenge_hash: bytes | None
    attempts: int
    expires_at: int
