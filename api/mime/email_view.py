"""`parse_email`: raw RFC 5322 octets to the JMAP Email properties (RFC 8621 4.1).

Covers the metadata that parsing gives (size), the header convenience properties
(4.1.2, 4.1.3) and the body properties (4.1.4). Never raises on any input: every step is
total, and a last-resort guard turns an unexpected failure into an empty text/plain email
so one hostile message cannot stop an import.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from api.mime.addresses import EmailAddress, as_addresses
from api.mime.body_values import EmailBodyValue, body_value, decode_transfer
from api.mime.fields import RawHeader, last_named
from api.mime.headers import EmailHeader, as_date, as_message_ids, as_text, header_list
from api.mime.parts import MimeNode, split_message
from api.mime.preview import make_preview
from api.mime.structure import (
    EmailBodyPart,
    LeafSpan,
    body_lists,
    build_structure,
    has_attachment,
)

__all__ = ["INLINE_PARSE_BYTES", "ParsedEmail", "parse_email", "parse_off_loop"]

# Messages up to this size are parsed on the event loop (0.25 ms + ~6 us per KiB on a
# 2-core VM: at most ~0.7 ms), where a thread hop would add ~0.1 ms to the median 4 KB
# message; bigger ones go to a thread so that one large message never stalls the loop.
INLINE_PARSE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedEmail:
    """The parsed properties of one message, and access to its parts' content."""

    raw: bytes = field(repr=False)
    raw_headers: tuple[RawHeader, ...]
    message_id: list[str] | None
    in_reply_to: list[str] | None
    references: list[str] | None
    sender: list[EmailAddress] | None
    from_: list[EmailAddress] | None
    to: list[EmailAddress] | None
    cc: list[EmailAddress] | None
    bcc: list[EmailAddress] | None
    reply_to: list[EmailAddress] | None
    subject: str | None
    sent_at: str | None
    headers: list[EmailHeader]
    body_structure: EmailBodyPart
    text_body: list[EmailBodyPart]
    html_body: list[EmailBodyPart]
    attachments: list[EmailBodyPart]
    has_attachment: bool
    preview: str
    size: int
    spans: Mapping[str, LeafSpan] = field(repr=False)

    def part_bytes(self, part_id: str) -> bytes | None:
        """A leaf part's content after transfer decoding (its blob), or None if unknown."""
        span = self.spans.get(part_id)
        if span is None:
            return None
        return decode_transfer(self.raw[span.start : span.end], span.transfer_encoding)[0]

    def body_values(
        self, part_ids: Iterable[str], max_body_value_bytes: int = 0
    ) -> dict[str, EmailBodyValue]:
        """4.2 bodyValues for the given text parts; unknown or non-text ids are skipped."""
        values: dict[str, EmailBodyValue] = {}
        for part_id in part_ids:
            span = self.spans.get(part_id)
            if span is not None and span.type.startswith("text/"):
                body = self.raw[span.start : span.end]
                values[part_id] = body_value(
                    body, span.transfer_encoding, span.charset, max_body_value_bytes
                )
        return values


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse a message; total over all byte strings."""
    try:
        return _parse(raw, split_message(raw))
    except Exception:  # a bug must not make a message unreadable; degrade to plain text
        return _parse(raw, MimeNode((), "text/plain", {}, None, {}, 0, len(raw), None))


async def parse_off_loop(raw: bytes) -> ParsedEmail:
    """`parse_email` that keeps the event loop free: in a thread unless `raw` is small."""
    if len(raw) <= INLINE_PARSE_BYTES:
        return parse_email(raw)
    return await asyncio.to_thread(parse_email, raw)


def _parse(raw: bytes, root: MimeNode) -> ParsedEmail:
    structure, spans = build_structure(raw, root)
    text_body, html_body, attachments = body_lists(structure)
    top = root.headers

    def addresses(name: str) -> list[EmailAddress] | None:
        found = last_named(top, name)
        return as_addresses(found.raw) if found is not None else None

    def ids(name: str) -> list[str] | None:
        found = last_named(top, name)
        return as_message_ids(found.raw) if found is not None else None

    subject = last_named(top, "subject")
    date = last_named(top, "date")
    return ParsedEmail(
        raw=raw,
        raw_headers=top,
        message_id=ids("message-id"),
        in_reply_to=ids("in-reply-to"),
        references=ids("references"),
        sender=addresses("sender"),
        from_=addresses("from"),
        to=addresses("to"),
        cc=addresses("cc"),
        bcc=addresses("bcc"),
        reply_to=addresses("reply-to"),
        subject=as_text(subject.raw) if subject is not None else None,
        sent_at=as_date(date.raw) if date is not None else None,
        headers=header_list(top),
        body_structure=structure,
        text_body=text_body,
        html_body=html_body,
        attachments=attachments,
        has_attachment=has_attachment(attachments),
        preview=_preview(raw, text_body, spans),
        size=len(raw),
        spans=spans,
    )


def _preview(raw: bytes, text_body: list[EmailBodyPart], spans: Mapping[str, LeafSpan]) -> str:
    for part in text_body:
        if part.type in ("text/plain", "text/html") and part.part_id is not None:
            span = spans[part.part_id]
            body = raw[span.start : span.end]
            return make_preview(body, span.transfer_encoding, span.charset, part.type)
    return ""
