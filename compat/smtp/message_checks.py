"""What SMTP refuses in an envelope address or message octets (RFC 5321 2.3.8, 4.1.2)."""

from __future__ import annotations

import re

from compat.smtp.replies import Reply

__all__ = ["address_problem", "content_problem", "undeclared_utf8"]

# Control characters, NUL and undecodable octets (kept as surrogates by aiosmtpd).
_BAD_ADDRESS = re.compile(r"[\x00-\x1f\x7f\s<>\ud800-\udfff]")


def address_problem(address: str) -> bool:
    """True when the address is not something an RFC 5321 4.1.2 Mailbox could be."""
    local, at, domain = address.rpartition("@")
    return not (at and local and domain) or len(address) > 320 or bool(_BAD_ADDRESS.search(address))


def undeclared_utf8(address: str, smtputf8: bool) -> bool:
    """True for a non-ASCII address in a transaction that did not say SMTPUTF8 (RFC 6531 3.5)."""
    return not smtputf8 and not address.isascii()


def content_problem(raw: bytes) -> Reply | None:
    """Reply.NUL / Reply.BARE_LF for octets that smuggle or confuse, else None."""
    if b"\x00" in raw:
        return Reply.NUL
    # Every LF and every CR belongs to a CRLF exactly when all three counts agree
    # (CRLFs never overlap): three C loops instead of a regex and a copy of the message.
    crlf = raw.count(b"\r\n")
    if raw.count(b"\n") != crlf or raw.count(b"\r") != crlf:
        return Reply.BARE_LF
    return None
