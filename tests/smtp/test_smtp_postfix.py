"""Interop: a real Postfix relays a message to our MX (RFC 5321), which stores it for the
recipient; the stored copy carries Postfix's Received field and our Authentication-Results."""

from __future__ import annotations

import asyncio
import smtplib

import pytest
from support.postfix_peer import postfix_peer
from support.smtp_node import SmtpNode, inbox_messages

pytestmark = pytest.mark.slow

RAW = (
    b"From: Dave <dave@elsewhere.example>\r\nTo: Alice <alice@example.org>\r\n"
    b"Subject: Via Postfix\r\nMessage-ID: <via-postfix@elsewhere.example>\r\n"
    b"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nRelayed by a real MTA.\r\n"
)


async def test_postfix_delivers_to_our_mx(postfix_installed: None, node: SmtpNode) -> None:
    with postfix_peer(f"[127.0.0.1]:{node.mx_port}") as (port, maillog):

        def hand_to_postfix() -> None:
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.sendmail("dave@elsewhere.example", ["alice@example.org"], RAW)

        await asyncio.to_thread(hand_to_postfix)
        stored: list[bytes] = []
        for _ in range(300):
            stored = [raw for _, raw in await inbox_messages(node.alice)]
            if stored:
                break
            await asyncio.sleep(0.1)
        log = maillog.read_text(errors="replace") if maillog.exists() else ""
    assert stored, f"Postfix never delivered to our MX:\n{log[-2000:]}"
    [raw] = stored
    assert b"Relayed by a real MTA." in raw
    assert b"postfix.test" in raw.split(b"\r\n\r\n", 1)[0]  # Postfix's own Received field
    assert raw.startswith(b"Authentication-Results: mx.example.org")
    assert "status=sent" in log
