"""Tables for EmailSubmission (RFC 8621 7) and the outbound queue it feeds.

A submission's envelope names correspondents, so it is sealed; each recipient's delivery
status is sealed to the account's public key, because the queue (which has no user key)
rewrites it after each attempt. The queue's own copy of a message and its envelope are
sealed to an installation key per sending domain: the queue must read them to deliver,
and nobody else needs to (SECURITY.md). Each plaintext column says why.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models import Base

__all__ = [
    "STAGE_FINAL",
    "STAGE_PENDING",
    "STAGE_QUEUED",
    "OutboundRow",
    "SubmissionRecipientRow",
    "SubmissionRow",
]

# A recipient's deliveryStatus (RFC 8621 7) moves only forward through these.
STAGE_PENDING = 0  # saved before any delivery was tried
STAGE_QUEUED = 1  # "queued": waiting in the outbound queue, or retried there
STAGE_FINAL = 2  # "yes" | "no" | "unknown"


class SubmissionRow(Base):
    __tablename__ = "email_submissions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    # Plaintext ids: EmailSubmission/query filters on them (RFC 8621 7.3).
    identity_id: Mapped[str] = mapped_column(String(32))
    email_id: Mapped[str] = mapped_column(String(32))
    thread_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Plaintext Unix seconds: the sentAt sort and before/after filters.
    send_at: Mapped[int] = mapped_column(BigInteger)
    # Plaintext "pending" | "final" | "canceled": the queue must know whether to send.
    undo_status: Mapped[str] = mapped_column(String(8))
    # Ciphertext under the MK submissions subkey: mailFrom and rcptTo with parameters.
    envelope_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Plaintext Unix seconds: the submit call sending it holds it until then, so that two
    # retries of one send never both resume it (0: nobody does).
    claimed_until: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


Index("ix_email_submissions_account", SubmissionRow.account_id, SubmissionRow.send_at)


class SubmissionRecipientRow(Base):
    """One rcptTo entry's deliveryStatus (RFC 8621 7), sealed to the account's public key."""

    __tablename__ = "submission_recipients"

    submission_id: Mapped[str] = mapped_column(
        ForeignKey("email_submissions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    status_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Plaintext STAGE_*: how far the sealed status has come, so that a write never takes
    # it back (the queue's "yes" must not lose to submit's "queued") without a user key.
    # Rows from before stages were kept count as queued.
    stage: Mapped[int] = mapped_column(Integer, server_default="1")


class OutboundRow(Base):
    """A message waiting to leave for one remote recipient (api.delivery.queue_sender).

    The remote recipients of one message share its blob; the last entry finished deletes
    it (api.store.outbound.OutboundRepository.finish).
    """

    __tablename__ = "outbound_queue"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    # Plaintext: whose status row to update; NULL for mail the server itself sends.
    submission_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    position: Mapped[int] = mapped_column(Integer)
    # Plaintext: which installation queue key sealed it (the account's domain, public).
    sender_domain: Mapped[str] = mapped_column(String(253))
    # Ciphertext sealed to the domain's queue key: envelope sender and recipient.
    envelope_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # The message: a blob whose data key is sealed to the same queue key, shared by the
    # entries of every remote recipient of one submission.
    blob_id: Mapped[str] = mapped_column(ForeignKey("blobs.id", ondelete="RESTRICT"))
    # Plaintext scheduling: retries with backoff need them without any key.
    created_at: Mapped[int] = mapped_column(BigInteger)
    next_attempt_at: Mapped[int] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Plaintext Unix seconds: a node that claimed the entry sends it until then; past it,
    # another node may take it over (the first one crashed mid-send).
    lease_until: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Plaintext: the sender was already told the message is late (RFC 3464 "delayed").
    delay_warned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


Index("ix_outbound_queue_next", OutboundRow.next_attempt_at)
# Finishing an entry asks whether another still shares its blob (and PostgreSQL checks
# the RESTRICT foreign key on every blob delete).
Index("ix_outbound_queue_blob", OutboundRow.blob_id)
