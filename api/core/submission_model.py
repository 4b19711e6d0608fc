"""The EmailSubmission object (RFC 8621 7) as the core keeps it, and its status stages.

A recipient's deliveryStatus only moves forward: pending (saved before any delivery
was tried), queued, then final ("yes", "no" or "unknown"); the stage is stored in
plaintext beside the sealed status so that writers without a key can keep that order.
"""

from __future__ import annotations

import msgspec

from api.store.submission_models import STAGE_FINAL, STAGE_QUEUED

__all__ = [
    "PENDING_REPLY",
    "SUBMISSION_TYPE",
    "DeliveryStatus",
    "EnvelopeAddress",
    "Submission",
    "SubmissionEnvelope",
    "is_pending",
    "pending",
    "stage_of",
]

SUBMISSION_TYPE = "EmailSubmission"
# Saved before any delivery is tried; "queued" because RFC 8621 7 has no "pending", and
# the status will change. The reply text tells it apart from a real queue entry.
PENDING_REPLY = "451 4.3.0 delivery not yet attempted"


class EnvelopeAddress(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    parameters: dict[str, str | None] | None = None


class SubmissionEnvelope(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    mail_from: EnvelopeAddress
    rcpt_to: list[EnvelopeAddress]


class DeliveryStatus(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    email: str
    smtp_reply: str
    delivered: str
    displayed: str = "unknown"


class Submission(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    identity_id: str
    email_id: str
    thread_id: str | None
    send_at: int
    undo_status: str
    envelope: SubmissionEnvelope
    statuses: list[DeliveryStatus]


def pending(email: str) -> DeliveryStatus:
    return DeliveryStatus(email=email, smtp_reply=PENDING_REPLY, delivered="queued")


def is_pending(status: DeliveryStatus) -> bool:
    return status == pending(status.email)


def stage_of(status: DeliveryStatus) -> int:
    """The stage a status written after a delivery attempt stands at."""
    return STAGE_QUEUED if status.delivered == "queued" else STAGE_FINAL
