"""Tables for JMAP Identity (RFC 8621 6) and VacationResponse (RFC 8621 8).

Every column is ciphertext or plaintext metadata the server needs without the user's
keys; each plaintext column says why. One column is neither zero-access nor clear:
`vacation_responses.delivery_sealed` is sealed under an installation key, because the
auto-reply goes out at delivery time, when no user key is present (SECURITY.md).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models import Base

__all__ = ["IdentityRow", "VacationReplyRow", "VacationResponseRow"]


class IdentityRow(Base):
    __tablename__ = "identities"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    # Plaintext: always the account's address or one of its aliases, which `accounts`
    # and `aliases` already hold in clear, so sealing it would hide little. In clear,
    # EmailSubmission and SMTP submission can check MAIL FROM / From against the
    # identities, and removing an alias can find its identities, with one query.
    email: Mapped[str] = mapped_column(String(320))
    # Ciphertext under the MK identities subkey: name, replyTo, bcc, textSignature and
    # htmlSignature in one blob, so not even their separate lengths show.
    details_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Plaintext: server policy (the account's own default identity stays), no user data.
    may_delete: Mapped[bool] = mapped_column(Boolean, default=True)


class VacationResponseRow(Base):
    """The account's one VacationResponse (id "singleton"); no row means the default."""

    __tablename__ = "vacation_responses"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    # Plaintext: delivery decides whether to auto-reply before anything is unlocked.
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Plaintext Unix seconds (or none), for the same reason: the reply window.
    from_date: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    to_date: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Ciphertext under the MK vacation subkey: subject, textBody and htmlBody as the
    # user set them; zero-access, whether enabled or not.
    content_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Only while enabled: the same texts sealed under the installation's
    # "vacation-delivery" key, which delivery can open without the user. NOT
    # zero-access: whoever holds the database can read it. Deleted on disable.
    delivery_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class VacationReplyRow(Base):
    """When the vacation auto-reply last went to one sender (RFC 3834 2: once per period)."""

    __tablename__ = "vacation_replies"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    # HMAC of the account id and lower-cased sender under an installation key: the
    # table never names a correspondent, and one sender cannot be linked across accounts.
    sender_key: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    # Plaintext: when the period of this sender started; rows older than it can go.
    replied_at: Mapped[int] = mapped_column(BigInteger)
