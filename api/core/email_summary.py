"""The sealed header summary of a stored email: what lists and previews show (RFC 8621 4.1).

Email/get of a message list reads only this, never the message blob. An email stored
while its account is unlocked seals the summary under the MK summaries subkey (AES-GCM,
~2 us to open); one delivered while the account is locked is sealed under a key derived
from its blob's data key, whose HPKE seal to the public key it carries, and is re-sealed
under MK at the next unlock.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from api.mime.addresses import EmailAddress
from api.mime.email_view import ParsedEmail
from crypto.aead import open_sealed, seal
from crypto.errors import FormatError
from crypto.kdf import hkdf_sha256
from crypto.labels import bind
from crypto.master_key import SUBKEY_SUMMARIES, MasterKey
from crypto.sealing import SEALED_DATA_KEY_SIZE, open_data_key, open_with_private_key
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


# A pending summary's first byte. The older form, the summary itself sealed to the public
# key (one more HPKE operation per delivered copy), begins with crypto.sealing.VERSION.
_UNDER_DATA_KEY = 0x02


def _pending_info(account_id: str, email_id: str) -> bytes:
    # The older form's HPKE info.
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
    data_key: SecretBytes,
    sealed_data_key: bytes,
    summary: EmailSummary,
    *,
    account_id: str,
    email_id: str,
    blob_id: str,
) -> bytes:
    """The summary of a copy delivered while its account is locked, under its blob's
    data key: the copy's one HPKE operation is the data key's (`sealed_data_key`, kept
    in front, so opening needs nothing but this value and the private key)."""
    key = _pending_key(data_key, account_id, email_id)
    sealed = seal(key, _encoder.encode(summary), _pending_aad(account_id, email_id, blob_id))
    return bytes([_UNDER_DATA_KEY]) + sealed_data_key + sealed


def open_pending_summary(
    private_key: SecretBytes, sealed: bytes, *, account_id: str, email_id: str, blob_id: str
) -> EmailSummary:
    """Open a summary from `seal_pending_summary`, or one of the older form (sealed to
    the public key itself) that a server upgraded with mail still pending may hold."""
    if sealed[:1] != bytes([_UNDER_DATA_KEY]):
        info = _pending_info(account_id, email_id)
        return _decoder.decode(open_with_private_key(private_key, sealed, info=info))
    end = 1 + SEALED_DATA_KEY_SIZE
    if len(sealed) < end:
        raise FormatError("a pending summary too short to hold its data key")
    data_key = open_data_key(private_key, sealed[1:end], account_id=account_id, object_id=blob_id)
    key = _pending_key(data_key, account_id, email_id)
    return _decoder.decode(
        open_sealed(key, sealed[end:], _pending_aad(account_id, email_id, blob_id))
    )


def _pending_key(data_key: SecretBytes, account_id: str, email_id: str) -> SecretBytes:
    info = bind(b"sealbox/v2/summary-pending-key", account_id, email_id)
    return SecretBytes(hkdf_sha256(data_key.reveal(), info))


def _pending_aad(account_id: str, email_id: str, blob_id: str) -> bytes:
    return bind(b"sealbox/v2/summary-pending", account_id, email_id, blob_id)
