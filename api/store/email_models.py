"""Tables for stored messages (RFC 8621 4), their mailbox memberships and threading keys.

The message itself is a blob (STREAM ciphertext, data key sealed to the account's public
key); the header summary is sealed too. What stays plaintext is what queries, delivery,
IMAP and purging need without any key: ids, sizes, dates, keywords, membership, UIDs,
thread ids and change-log positions. Each plaintext column says why.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models import Base

__all__ = ["EmailMailboxRow", "EmailRow", "ThreadKeyRow"]


class EmailRow(Base):
    __tablename__ = "emails"

    # Plaintext: a random id ("e" + 80 bits).
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    # Plaintext: the raw message's blob; RESTRICT, so no blob in use can be purged.
    blob_id: Mapped[str] = mapped_column(ForeignKey("blobs.id", ondelete="RESTRICT"), index=True)
    # Plaintext: Thread/get and collapseThreads group by it. NULL only while `pending`.
    thread_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Plaintext: sorting, size filters, quotas (the blob's size says as much).
    size: Mapped[int] = mapped_column(BigInteger)
    # Plaintext Unix seconds: receivedAt sort and filters, IMAP INTERNALDATE, retention.
    received_at: Mapped[int] = mapped_column(BigInteger)
    # Plaintext Unix seconds of the Date header: the sentAt sort. The header's own text
    # (with its zone) is in the sealed summary.
    sent_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Plaintext keywords (RFC 8621 4.1.1): unread counts, IMAP flags and keyword filters
    # need them. Well-known ones are bits (api.core.keywords), others a space-delimited
    # list of lowercase keywords with a space at each end.
    flags: Mapped[int] = mapped_column(Integer, default=0)
    custom_keywords: Mapped[str] = mapped_column(Text, default=" ")
    # Ciphertext: subject, addresses, preview and message ids (api.core.email_summary),
    # under the MK summaries subkey; or, while `pending`, sealed to the public key.
    summary_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Plaintext: delivered while the account was locked; threading and re-sealing the
    # summary under MK wait for the next unlock. Reveals no more than received_at.
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    # Plaintext: change-log position of the last change (IMAP CONDSTORE MODSEQ).
    modseq: Mapped[int] = mapped_column(BigInteger)
    # Plaintext: when the user destroyed it (kept 30 days, then crypto-shredded), and the
    # mailboxes it was in, so a restore can put it back. NULL while it is live.
    deleted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    deleted_from: Mapped[str | None] = mapped_column(Text, nullable=True)


Index("ix_emails_account_received", EmailRow.account_id, EmailRow.received_at)
Index("ix_emails_account_thread", EmailRow.account_id, EmailRow.thread_id)
Index("ix_emails_account_pending", EmailRow.account_id, EmailRow.pending)
Index("ix_emails_deleted_at", EmailRow.deleted_at)
# The account's destroyed emails, which the index-ranked Email/query leaves out.
Index("ix_emails_account_deleted", EmailRow.account_id, EmailRow.deleted_at)
# IMAP resyncs (Mailbox/imapListing sinceModseq) read the emails changed after a modseq.
Index("ix_emails_account_modseq", EmailRow.account_id, EmailRow.modseq)


class EmailMailboxRow(Base):
    """An email's place in one mailbox, with the IMAP UID it got there (RFC 9051 2.3.1.1)."""

    __tablename__ = "email_mailboxes"

    # Plaintext membership and UIDs: delivery files into the Inbox without keys, IMAP
    # numbers messages per mailbox. No cascade: a mailbox holding mail is not dropped.
    mailbox_id: Mapped[str] = mapped_column(
        ForeignKey("mailboxes.id", ondelete="RESTRICT"), primary_key=True
    )
    uid: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    email_id: Mapped[str] = mapped_column(ForeignKey("emails.id", ondelete="CASCADE"), index=True)
    # A copy of the email's receivedAt: the index below answers "newest 50 in the Inbox"
    # without touching the emails table.
    received_at: Mapped[int] = mapped_column(BigInteger)


Index(
    "ix_email_mailboxes_received",
    EmailMailboxRow.mailbox_id,
    EmailMailboxRow.received_at,
    EmailMailboxRow.email_id,
)
Index(
    "ix_email_mailboxes_member", EmailMailboxRow.mailbox_id, EmailMailboxRow.email_id, unique=True
)


class ThreadKeyRow(Base):
    """A message id seen in the account, as a keyed hash, and the thread it belongs to.

    The key is HMAC(MK threading subkey, Message-ID): only an unlocked account can
    compute or match it, and it shows no id. Equal hashes reveal that two messages refer
    to one another, which the plaintext thread ids show anyway.
    """

    __tablename__ = "thread_keys"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    thread_id: Mapped[str] = mapped_column(String(32))
    # HMAC of the base subject (RFC 5256 2.1) that registered the key: a reply joins a
    # thread only when its subject matches too (RFC 8621 3).
    subject_key: Mapped[bytes] = mapped_column(LargeBinary(32))
