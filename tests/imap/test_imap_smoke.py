"""Python's imaplib against the in-process server: sign-in rules, the basic mailbox verbs."""

from __future__ import annotations

import asyncio
import imaplib

import pytest

from tests.imap.conftest import ImapServer

MESSAGE = (
    b"From: Bob <bob@example.net>\r\nTo: alice@example.org\r\nSubject: hello imap\r\n"
    b"Date: Tue, 01 Dec 2026 09:30:00 +0100\r\nMessage-ID: <m1@example.net>\r\n\r\n"
    b"Body line one.\r\nBody line two.\r\n"
)


async def test_login_refused_before_starttls_then_works(imap_server: ImapServer) -> None:
    def run() -> None:
        client = imap_server.plain()
        assert b"LOGINDISABLED" in client.capability()[1][0]
        with pytest.raises(imaplib.IMAP4.error):
            client.login(imap_server.address, imap_server.app_password)
        client.starttls(ssl_context=imap_server.client_context())
        assert b"AUTH=PLAIN" in client.capability()[1][0]
        assert client.login(imap_server.address, imap_server.app_password)[0] == "OK"
        client.logout()

    await asyncio.to_thread(run)


async def test_wrong_password_is_refused(imap_server: ImapServer) -> None:
    def run() -> None:
        client = imap_server.tls()
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login(imap_server.address, "not the password")
        client.logout()

    await asyncio.to_thread(run)
