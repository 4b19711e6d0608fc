"""Small RFC 5322 messages for tests that store mail."""

from __future__ import annotations

__all__ = ["message"]


def message(
    subject: str = "Lunch on Friday",
    message_id: str = "m1@example.net",
    *,
    in_reply_to: str | None = None,
    body: str = "Shall we meet at noon?\r\n",
    sender: str = "Bob <bob@example.net>",
) -> bytes:
    lines = [
        f"From: {sender}",
        "To: Alice <alice@example.org>",
        f"Subject: {subject}",
        "Date: Tue, 01 Dec 2026 09:30:00 +0100",
        f"Message-ID: <{message_id}>",
    ]
    if in_reply_to:
        lines += [f"In-Reply-To: <{in_reply_to}>", f"References: <{in_reply_to}>"]
    lines += ["Content-Type: text/plain; charset=utf-8", "", body]
    return "\r\n".join(lines).encode()
