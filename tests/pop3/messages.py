"""Messages the POP3 tests import by JMAP and read back by POP3."""

from __future__ import annotations

__all__ = ["DOTTED", "message"]


def message(subject: str, *body: str) -> bytes:
    head = (
        f"From: Bob <bob@example.net>\r\nTo: someone@example.org\r\nSubject: {subject}\r\n"
        f"Date: Tue, 01 Dec 2026 09:30:00 +0100\r\nMessage-ID: <{subject.replace(' ', '.')}"
        "@example.net>\r\n\r\n"
    )
    return head.encode() + b"".join(line.encode() + b"\r\n" for line in body)


# Lines that start with "." must be stuffed on the wire (RFC 1939 3), "." alone included.
DOTTED = message("dots", "first line", ".hidden", "..two dots", ".", "last line")
