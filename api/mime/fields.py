"""Header sections split into fields, with the raw octets kept (RFC 5322 2.2, RFC 8621 4.1.2).

Written by hand, because the stdlib parser discards what JMAP needs: the octets after the
colon as received (asRaw keeps the leading space and the folding) and 8-bit bytes intact.
RFC 2047 decoding is the stdlib's (`email.headerregistry` unstructured header).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.policy import default as _default_policy

import msgspec

__all__ = [
    "PARSE_LIMIT",
    "RawHeader",
    "clean_text",
    "decode_words",
    "last_named",
    "split_header_block",
    "unfold",
]

# Structured parsers of the stdlib are not linear on every pathological input; a value
# longer than this is parsed as its first PARSE_LIMIT characters.
PARSE_LIMIT = 16_384

_FOLD = re.compile(rb"\r?\n(?=[ \t])")
_LINE_BREAK = re.compile(r"[\r\n]+")
_FIELD_NAME = re.compile(rb"[!-9;-~]+")  # RFC 5322 2.2: printable US-ASCII except colon


class RawHeader(msgspec.Struct, frozen=True, kw_only=True):
    """One header field as received: its name and the raw octets after the colon."""

    name: str
    raw: bytes


def split_header_block(block: bytes) -> tuple[RawHeader, ...]:
    """Split a header section into fields, in order; lines that fit no field are dropped.

    A continuation line (leading SP or HTAB) belongs to the field before it; the line
    ending that closes a field is not part of its value (RFC 5322 2.2, 2.2.3).
    """
    fields: list[RawHeader] = []
    name: str | None = None
    chunks: list[bytes] = []
    for line in block.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and name is not None:
            chunks.append(line)
            continue
        if name is not None:
            fields.append(RawHeader(name=name, raw=_strip_eol(b"".join(chunks))))
            name, chunks = None, []
        head, colon, rest = line.partition(b":")
        head = head.rstrip(b" \t")
        if colon and _FIELD_NAME.fullmatch(head):
            name, chunks = head.decode("ascii"), [rest]
    if name is not None:
        fields.append(RawHeader(name=name, raw=_strip_eol(b"".join(chunks))))
    return tuple(fields)


def _strip_eol(value: bytes) -> bytes:
    return value.rstrip(b"\r\n")


def clean_text(value: str) -> str:
    """Replace lone surrogates (from undecodable 8-bit octets) so the text is valid UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:
            return value.encode("utf-8", "replace").decode("utf-8")
    return value


def unfold(raw: bytes) -> str:
    """RFC 5322 2.2.3 unfolding, as UTF-8 text with invalid octets replaced."""
    text = _FOLD.sub(b"", raw).decode("utf-8", "replace")
    return _LINE_BREAK.sub(" ", text)


def decode_words(text: str) -> str:
    """RFC 2047 decoding through the stdlib unstructured header; unknown charsets stay 8-bit."""
    try:
        decoded = str(_default_policy.header_factory("x-text", text[:PARSE_LIMIT]))
    except Exception:  # the stdlib raises a zoo of types on hostile input
        return text
    return clean_text(decoded) + text[PARSE_LIMIT:]


def last_named(headers: Sequence[RawHeader], name: str) -> RawHeader | None:
    """The last instance of a field, by case-insensitive name (4.1.3)."""
    wanted = name.lower()
    for header in reversed(headers):
        if header.name.lower() == wanted:
            return header
    return None
