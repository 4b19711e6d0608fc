"""SQLAlchemy 2 tables for domains, accounts, credentials and sign-in state.

Every column is either ciphertext or plaintext metadata that the server needs without
the user's keys; each plaintext column says why it is plaintext. Times are Unix seconds.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AccountRow",
    "AliasRow",
    "AppPasswordRow",
    "Base",
    "DomainRow",
    "InstanceSecretRow",
    "LoginChallengeRow",
    "LoginFailureRow",
    "SessionRow",
    "table_of",
]


class Base(DeclarativeBase):
    pass


def table_of(row: type[Base]) -> Table:
    """A mapped class's table, for Core bulk inserts (the ORM's bulk path costs more CPU
    than the INSERT itself in a group commit)."""
    table = row.__table__
    assert isinstance(table, Table)
    return table


class DomainRow(Base):
    __tablename__ = "domains"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Plaintext: delivery must accept or refuse mail for it without any user key.
    name: Mapped[str] = mapped_column(String(253), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # Plaintext "enforce" | "report", NULL for the server's default: the MX applies the
    # sender domain's DMARC policy (RFC 7489 6.7) for this domain's recipients without a key.
    dmarc_policy: Mapped[str | None] = mapped_column(String(8), nullable=True)


class AccountRow(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Plaintext: sign-in and delivery look accounts up by address.
    address: Mapped[str] = mapped_column(String(320), unique=True)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domains.id", ondelete="RESTRICT"))
    created_at: Mapped[int] = mapped_column(BigInteger)

    # Password: Argon2 salt and cost (public by design), the hash of the auth key (a
    # verifier, useless for decryption) and MK wrapped under the kek (ciphertext).
    password_salt: Mapped[bytes] = mapped_column(LargeBinary)
    argon2_time_cost: Mapped[int] = mapped_column(Integer)
    argon2_memory_kib: Mapped[int] = mapped_column(Integer)
    argon2_parallelism: Mapped[int] = mapped_column(Integer)
    password_verifier: Mapped[bytes] = mapped_column(LargeBinary)
    password_slot: Mapped[bytes] = mapped_column(LargeBinary)

    # Plaintext choice "none" | "code" | "escrow": the reset page must say what is possible.
    recovery_mode: Mapped[str] = mapped_column(String(8))
    recovery_salt: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    recovery_slot: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    # Plaintext public key: delivery seals new mail to it without the password.
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    # Display name, preferences, ...: ciphertext under the MK settings subkey.
    settings_blob: Mapped[bytes] = mapped_column(LargeBinary)

    # TOTP secret sealed to the account's public key (the CLI can enable it without the
    # password); whether it is on and the last used step are plaintext because sign-in
    # must ask for a code and refuse replays before anything is unlocked.
    totp_sealed_secret: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # A secret enrolled from Settings but not yet confirmed with a code, sealed like the
    # one above; it turns on only once a code from it verifies, so nobody locks
    # themselves out with a mistyped scan.
    totp_pending_sealed_secret: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    # Plaintext: this account's mail quota in octets (NULL: the node's default), which
    # delivery enforces without any key.
    quota_octets: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    # Bumped by every credential change; in-memory unlock caches on any node compare it
    # and drop what an old password or a revoked app password unlocked.
    credential_epoch: Mapped[int] = mapped_column(Integer, default=0)


class AliasRow(Base):
    __tablename__ = "aliases"

    # Plaintext: delivery resolves aliases to accounts without any user key.
    address: Mapped[str] = mapped_column(String(320), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))


class AppPasswordRow(Base):
    __tablename__ = "app_passwords"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    # Plaintext label ("Thunderbird, laptop"): list and revoke work without unlocking.
    name: Mapped[str] = mapped_column(String(100))
    salt: Mapped[bytes] = mapped_column(LargeBinary)
    verifier: Mapped[bytes] = mapped_column(LargeBinary)
    slot: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # Day granularity only: enough to spot an unused password, little else.
    last_used_day: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class SessionRow(Base):
    """A signed-in client: only a hash of the token id and MK wrapped under the token's key."""

    __tablename__ = "sessions"

    id_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    wrapped_master_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)


class LoginChallengeRow(Base):
    """A password sign-in waiting for its TOTP code; same shape as a session, short-lived."""

    __tablename__ = "login_challenges"

    id_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    wrapped_master_key: Mapped[bytes] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)


class LoginFailureRow(Base):
    """Failed sign-ins in the current window, keyed by a keyed hash of account or client.

    The key is an HMAC so the table holds no address or IP in clear; rows expire with
    their window.
    """

    __tablename__ = "login_failures"

    key: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[int] = mapped_column(BigInteger)


Index("ix_login_failures_window", LoginFailureRow.window_start)


class InstanceSecretRow(Base):
    """Random per-installation keys shared by every node (e.g. the throttle HMAC key).

    None of them unlocks mail; they only keep lookup keys from being plain hashes.
    """

    __tablename__ = "instance_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
