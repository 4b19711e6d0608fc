"""One email as an index document: addresses, subject, text and HTML bodies as text,
attachment names and header words; built in memory from the decrypted, parsed message."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import tantivy

from api.mime.addresses import EmailAddress
from api.mime.email_view import ParsedEmail
from api.mime.preview import html_to_text
from api.search.schema import HEADERS, KEY, RECEIVED, analyzer

__all__ = ["build_document", "header_tokens"]

# Body text indexed per message; the rest of a huge body is not searchable.
MAX_BODY_CHARS = 1_000_000
_MAX_HEADER_CHARS = 2_000


@cache
def _words() -> Any:
    """Splits header values into the words `header:word` tokens are made of (no stemming:
    a header value is matched word for word)."""
    return analyzer("")


def header_tokens(name: str, value: str) -> list[str]:
    """The tokens of one header: `name:` (it is present) and `name:word` per word."""
    field = name.strip().lower()
    return [f"{field}:", *(f"{field}:{word}" for word in _words().analyze(value))]


def _addresses(addresses: Iterable[EmailAddress] | None) -> str:
    return " ".join(f"{a.name or ''} {a.email or ''}" for a in addresses or ())


def _body(parsed: ParsedEmail) -> str:
    parts = {p.part_id: p.type for p in (*parsed.text_body, *parsed.html_body) if p.part_id}
    pieces: list[str] = []
    size = 0
    for part_id, value in parsed.body_values(parts).items():
        text = value.value
        if parts[part_id] == "text/html":
            text = html_to_text(text, limit=MAX_BODY_CHARS)
        pieces.append(text)
        size += len(text)
        if size >= MAX_BODY_CHARS:
            break
    return "\n".join(pieces)[:MAX_BODY_CHARS]


def build_document(key: int, received_at: int, parsed: ParsedEmail) -> Any:
    document = tantivy.Document()
    document.add_unsigned(KEY, key)
    document.add_unsigned(RECEIVED, max(received_at, 0))
    document.add_text("subject", parsed.subject or "")
    document.add_text("from", _addresses(parsed.from_))
    document.add_text("to", _addresses(parsed.to))
    document.add_text("cc", _addresses(parsed.cc))
    document.add_text("bcc", _addresses(parsed.bcc))
    document.add_text("body", _body(parsed))
    document.add_text("attachments", " ".join(p.name or "" for p in parsed.attachments))
    tokens: list[str] = []
    for header in parsed.headers:
        tokens.extend(header_tokens(header.name, header.value[:_MAX_HEADER_CHARS]))
    document.add_text(HEADERS, " ".join(tokens))
    return document
