"""Tables for the change log (JMAP states, IMAP MODSEQ) and mailboxes.

Every column is ciphertext or plaintext metadata the server needs without the user's
keys; each plaintext column says why. The change log is the one source of JMAP state
strings (RFC 8620 1.6.3) and of IMAP MODSEQ values (RFC 7162): both are positions in it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models import Base

__all__ = ["AccountCounterRow", "ChangeRow", "MailboxRow", "TypeStateRow"]


class AccountCounterRow(Base):
    """The account's change-log position; every write takes the next value under a row lock."""

    __tablename__ = "account_counters"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    # Plaintext: a counter of writes, needed to order changes without any key.
    modseq: Mapped[int] = mapped_column(BigInteger, default=0)
    # Plaintext: octets of live mail (RFC 9425 `used`), kept in step by every write so
    # delivery checks the quota without summing 100,000 rows.
    mail_octets: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class ChangeRow(Base):
    """One created/updated/destroyed object at one change-log position."""

    __tablename__ = "changes"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    modseq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # Plaintext: the data type ("Mailbox", "Email", ...) and the object id, so /changes
    # and IMAP CONDSTORE answer without decrypting anything.
    type: Mapped[str] = mapped_column(String(32), primary_key=True)
    object_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # "c" created, "u" updated, "d" destroyed.
    kind: Mapped[str] = mapped_column(String(1))


Index("ix_changes_type_modseq", ChangeRow.account_id, ChangeRow.type, ChangeRow.modseq)


class TypeStateRow(Base):
    """Per data type: the newest change-log position and the oldest one still kept."""

    __tablename__ = "type_states"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    type: Mapped[str] = mapped_column(String(32), primary_key=True)
    modseq: Mapped[int] = mapped_column(BigInteger)
    # Changes at or before this position were compacted away: older states get
    # cannotCalculateChanges (RFC 8620 5.2).
    floor: Mapped[int] = mapped_column(BigInteger, default=0)


class MailboxRow(Base):
    __tablename__ = "mailboxes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    # Plaintext: the tree shape (not the names) lets delivery and IMAP LIST work in order.
    parent_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Ciphertext under the MK mailbox-names subkey.
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Plaintext: delivery files new mail into the "inbox" role without any key.
    role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    # Plaintext IMAP facts (RFC 9051 2.3.1.1): UIDs are allocated at delivery, keyless.
    uid_validity: Mapped[int] = mapped_column(BigInteger)
    uid_next: Mapped[int] = mapped_column(BigInteger, default=1)
    # Plaintext: the last MODSEQ at which a message left (RFC 7162 3.2.5.2); a QRESYNC
    # client whose modseq is not below it has missed no expunge here.
    expunged_modseq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
