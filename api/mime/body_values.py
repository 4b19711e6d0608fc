"""Decoded part content and EmailBodyValue (RFC 8621 4.1.4 bodyValues, 4.2 Email/get).

Transfer decoding uses `binascii` (base64, quoted-printable, RFC 2045 6.7, 6.8) and charset
decoding the `codecs` registry. Written by hand: the lenient base64 that reports broken
input instead of raising, the charset fallbacks (the WHATWG reading of iso-8859-1 and
us-ascii labels, UTF-8 with replacement for unknown ones) and truncation of a value at a
UTF-8 character boundary for maxBodyValueBytes.
"""

from __future__ import annotations

import binascii
import codecs
import re

import msgspec

__all__ = ["EmailBodyValue", "body_value", "decode_charset", "decode_transfer", "truncate_utf8"]

_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")
_WHITESPACE = re.compile(rb"[ \t\r\n]")
# Labels that mean a superset in practice (WHATWG Encoding, "legacy single-byte encodings").
_SUPERSETS = {"iso8859-1": "cp1252", "ascii": "utf-8", "iso8859-9": "cp1254"}
# Codecs that are not charsets, or are slow on hostile input (punycode is quadratic).
_REFUSED = {
    "punycode",
    "idna",
    "unicode-escape",
    "raw-unicode-escape",
    "undefined",
    "mbcs",
    "oem",
}


class EmailBodyValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """4.1.4 EmailBodyValue: the decoded text and whether anything went wrong."""

    value: str
    is_encoding_problem: bool
    is_truncated: bool


def decode_transfer(data: bytes, encoding: str | None) -> tuple[bytes, bool]:
    """Undo a Content-Transfer-Encoding; the flag is True when the input was broken.

    7bit, 8bit, binary and unknown encodings are passed through unchanged.
    """
    name = (encoding or "").strip().lower()
    if name == "base64":
        return _decode_base64(data)
    if name == "quoted-printable":
        try:
            return binascii.a2b_qp(data), False
        except (binascii.Error, ValueError):
            return data, True
    return data, False


def _decode_base64(data: bytes) -> tuple[bytes, bool]:
    compact = _WHITESPACE.sub(b"", data)
    body = compact.rstrip(b"=")
    clean = _NOT_BASE64.sub(b"", body)
    broken = len(clean) != len(body) or len(compact) - len(body) > 2
    if len(clean) % 4 == 1:  # one dangling sextet carries no whole octet
        clean, broken = clean[:-1], True
    clean += b"=" * (-len(clean) % 4)
    try:
        return binascii.a2b_base64(clean), broken
    except (binascii.Error, ValueError):
        return b"", True


def decode_charset(data: bytes, charset: str | None) -> tuple[str, bool]:
    """Octets to text in the part's charset; the flag is True on an encoding problem.

    No charset means us-ascii, read as UTF-8 (its superset) since 8-bit mail labelled
    nothing is common. An unknown or refused charset is read as UTF-8 with replacement and
    flagged.
    """
    codec = _codec(charset or "us-ascii")
    if codec is None:
        return data.decode("utf-8", "replace"), True
    try:
        return data.decode(codec), False
    except UnicodeDecodeError:
        return data.decode(codec, "replace"), True
    except Exception:  # a codec that misbehaves on this input
        return data.decode("utf-8", "replace"), True


def _codec(charset: str) -> str | None:
    try:
        info = codecs.lookup(charset.strip().strip('"'))
    except (LookupError, ValueError):
        return None
    name = _SUPERSETS.get(info.name, info.name)
    if name in _REFUSED or not getattr(info, "_is_text_encoding", True):
        return None
    return name


def truncate_utf8(value: str, max_bytes: int) -> tuple[str, bool]:
    """Cut a value to at most max_bytes octets of UTF-8 without splitting a character.

    0 means no limit (4.2 maxBodyValueBytes).
    """
    if max_bytes <= 0 or len(value) <= max_bytes // 4:
        return value, False
    encoded = value.encode("utf-8")
    if len(encoded) <= max_bytes:
        return value, False
    cut = max_bytes
    while cut > 0 and encoded[cut] & 0xC0 == 0x80:
        cut -= 1
    return encoded[:cut].decode("utf-8"), True


def body_value(
    data: bytes, encoding: str | None, charset: str | None, max_bytes: int
) -> EmailBodyValue:
    """The bodyValue of one text part from its undecoded body octets."""
    decoded, broken_transfer = decode_transfer(data, encoding)
    text, broken_charset = decode_charset(decoded, charset)
    value, truncated = truncate_utf8(text, max_bytes)
    return EmailBodyValue(
        value=value,
        is_encoding_problem=broken_transfer or broken_charset,
        is_truncated=truncated,
    )
