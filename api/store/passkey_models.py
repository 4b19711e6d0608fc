"""The tables of passkeys (WebAuthn credentials) and their pending ceremony challenges.

Every plaintext column says why it is plaintext; nothing here unlocks mail: the MK slot
is ciphertext under a key derived from the authenticator's PRF output, which the server
never stores.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models import Base

__all__ = ["PasskeyRow", "WebauthnChallengeRow"]


class PasskeyRow(Base):
    __tablename__ = "passkeys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    # Plaintext: the authenticator names the credential by it; sign-in looks it up
    # before anything is unlocked (passwordless sign-in knows nothing else).
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1023), unique=True)
    # Plaintext public key (COSE): verifying an assertion needs it, and it is public.
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # Plaintext: clone detection compares it before anything is unlocked.
    sign_count: Mapped[int] = mapped_column(BigInteger)
    # Plaintext hints ("internal,hybrid") handed back to the browser in allowCredentials.
    transports: Mapped[str] = mapped_column(String(200))
    # Plaintext label ("Laptop"), like app-password labels: list and remove work
    # without unlocking. The webmail says so where the name is typed.
    name: Mapped[str] = mapped_column(String(100))
    # Ciphertext: MK under HKDF(PRF output); NULL when the authenticator gave no PRF
    # output, and then the passkey is a second factor only.
    slot: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # Day granularity only: enough to spot an unused passkey, little else.
    last_used_day: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class WebauthnChallengeRow(Base):
    """A registration or sign-in ceremony in progress: single-use, short-lived.

    Only SHA-256 of the challenge is kept; `purpose` stops a challenge issued for one
    ceremony from completing another.
    """

    __tablename__ = "webauthn_challenges"

    challenge_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    # Plaintext: "register" | "second-factor" | "passwordless".
    purpose: Mapped[str] = mapped_column(String(16))
    # NULL for passwordless sign-in, where the account is not known yet.
    account_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True
    )
    # Second factor: the hash of the pending password sign-in this challenge belongs to.
    login_challenge_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
