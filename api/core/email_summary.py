"""The sealed header summary of a stored email: what lists and previews show (RFC 8621 4.1).

Email/get of a message list reads only this, never the message blob. An email stored
while its account is unlocked seals the summary under the MK summaries subkey (AES-GCM,
~2 us to open); one delivered while the account is locked can only be sealed to the
public key (HPKE, ~50 us) and is re-sealed under MK at the next unlock.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from api.mime.addresses import EmailAddress
from api.mime.email_view import ParsedEmail
from crypto.aead import open_sealed, seal
from crypto.labels import bind
from crypto.master_key import SUBKEY_SUMMARIES, MasterKey
from crypto.sealing import open_with_private_key, seal_to_public_key
from crypto.secret_value import SecretBytes

__all__ = [
    "EmailSummary",
    "open_pending_summary",
    "open_summary",
    "seal_pending_summary",
    "seal_summary",
    "sent_at_seconds",
    "summarize",
]


class EmailSummary(msgspec.Struct, frozen=True, kw_only=True, array_like=True):
    subject: str | None
    from_: list[EmailAddress] | None
    to: list[EmailAddress] | None
    cc: list[EmailAddress] | None
    bcc: list[EmailAddress] | None
    reply_to: list[EmailAddress] | None
    sender: list[EmailAddress] | None
    sent_at: str | None
    preview: str
    has_attachment: bool
    message_id: list[str] | None
    in_reply_to: list[str] | None
    references: list[str] | None


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(EmailSummary)


def summarize(parsed: ParsedEmail) -> EmailSummary:
    return EmailSummary(
        subject=parsed.subject,
        from_=parsed.from_,
        to=parsed.to,
        cc=parsed.cc,
        bcc=parsed.bcc,
        reply_to=parsed.reply_to,
        sender=parsed.sender,
        sent_at=parsed.sent_at,
        preview=parsed.preview,
        has_attachment=parsed.has_attachment,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
    )


def sent_at_seconds(summary: EmailSummary) -> int | None:
    """The Date header as Unix seconds, for the plaintext sentAt sort column."""
    if summary.sent_at is None:
        return None
    return int(datetime.fromisoformat(summary.sent_at).timestamp())


def _aad(account_id: str, email_id: str) -> bytes:
    return bind(b"sealbox/v1/summary", account_id, email_id)


def _pending_info(account_id: str, email_id: str) -> bytes:
    return bind(b"sealbox/v1/summary-pending", account_id, email_id)


def seal_summary(
    master_key: MasterKey, account_id: str, email_id: str, summary: EmailSummary
) -> bytes:
    key = master_key.subkey(SUBKEY_SUMMARIES)
    return seal(key, _encoder.encode(summary), _aad(account_id, email_id))


def open_summary(
    summaries_key: SecretBytes, account_id: str, email_id: str, sealed: bytes
) -> EmailSummary:
    """Open a summary sealed under MK; the caller derives the subkey once per batch."""
    return _decoder.decode(open_sealed(summaries_key, sealed, _aad(account_id, email_id)))


def seal_pending_summary(
    public_key: bytes, account_id: str, email_id: str, summary: EmailSummary
) -> bytes:
    info = _pending_info(account_id, email_id)
    return seal_to_public_key(public_key, _encoder.encode(summary), info=info)


def open_pending_summary(
    private_key: SecretBytes, account_id: str, email_id: str, sealed: bytes
) -> EmailSummary:
    info = _pending_info(account_id, email_id)
    return _decoder.decode(open_with_private_key(private_key, sealed, info=info))
