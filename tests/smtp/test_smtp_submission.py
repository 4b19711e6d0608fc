"""Submission over real TLS: AUTH only after TLS, app passwords, owned senders, JMAP side."""

from __future__ import annotations

import asyncio
import smtplib

import aiosmtplib
import pytest
from support.smtp_node import SmtpNode, inbox_messages

MESSAGE = (
    b"From: alice@example.org\r\nTo: bob@example.org\r\nBcc: carol@example.org\r\n"
    b"Subject: submitted\r\n\r\nhello bob\r\n"
)


async def test_starttls_auth_submits_through_jmap(node: SmtpNode) -> None:
    client = aiosmtplib.SMTP(
        hostname="127.0.0.1",
        port=node.submission_port,
        tls_context=node.client_tls,
        start_tls=False,
    )
    await client.connect()
    await client.ehlo()
    assert "auth" not in client.esmtp_extensions
    with pytest.raises(aiosmtplib.SMTPException):
        await client.login("alice@example.org", node.app_password)
    await client.starttls()
    await client.ehlo()
    assert "PLAIN" in client.esmtp_extensions["auth"]
    await client.login("alice@example.org", node.app_password)
    errors, _ = await client.sendmail("alice@example.org", ["bob@example.net"], MESSAGE)
    assert errors == {}
    await client.quit()
    [(email, raw)] = await inbox_messages(node.alice, "sent")
    assert email["keywords"] == {"$seen": True} and b"Bcc: carol@example.org" in raw
    got = await node.alice.one("EmailSubmission/get", ids=None)
    [submission] = got["list"]
    assert submission["envelope"]["rcptTo"] == [{"email": "bob@example.net", "parameters": None}]


async def test_implicit_tls_with_login_mechanism(node: SmtpNode) -> None:
    def run() -> dict[str, object]:
        with smtplib.SMTP_SSL(
            "127.0.0.1", node.submissions_port, context=node.client_tls, timeout=30
        ) as client:
            client.ehlo()
            client.user, client.password = "alice@example.org", node.app_password
            client.auth("LOGIN", client.auth_login)
            return dict(client.sendmail("alice@example.org", ["x@example.net"], MESSAGE))

    assert await asyncio.to_thread(run) == {}
    assert len(await inbox_messages(node.alice, "sent")) == 1


async def test_wrong_password_and_unowned_sender(node: SmtpNode) -> None:
    def run() -> tuple[int, int]:
        with smtplib.SMTP_SSL(
            "127.0.0.1", node.submissions_port, context=node.client_tls, timeout=30
        ) as client:
            with pytest.raises(smtplib.SMTPAuthenticationError) as wrong:
                client.login("alice@example.org", "not-the-password")
            client.login("alice@example.org", node.app_password)
            with pytest.raises(smtplib.SMTPSenderRefused) as refused:
                client.sendmail("mallory@example.org", ["x@example.net"], MESSAGE)
            return wrong.value.smtp_code, refused.value.smtp_code

    wrong, refused = await asyncio.to_thread(run)
    assert (wrong, refused) == (535, 553)
    assert await inbox_messages(node.alice, "sent") == []


async def test_mail_before_auth_is_refused(node: SmtpNode) -> None:
    def run() -> int:
        with smtplib.SMTP_SSL(
            "127.0.0.1", node.submissions_port, context=node.client_tls, timeout=30
        ) as client:
            client.ehlo()
            return client.mail("alice@example.org")[0]

    assert await asyncio.to_thread(run) == 530


async def test_requiretls_is_handed_to_the_submission(node: SmtpNode) -> None:
    """RFC 8689: MAIL FROM REQUIRETLS becomes the EmailSubmission's mailFrom parameter,
    which the outbound queue honours (verified TLS, a next hop offering REQUIRETLS)."""

    def run() -> dict[str, object]:
        with smtplib.SMTP_SSL(
            "127.0.0.1", node.submissions_port, context=node.client_tls, timeout=30
        ) as client:
            client.ehlo()
            assert client.has_extn("requiretls")
            client.login("alice@example.org", node.app_password)
            return dict(
                client.sendmail(
                    "alice@example.org", ["x@example.net"], MESSAGE, mail_options=["REQUIRETLS"]
                )
            )

    assert await asyncio.to_thread(run) == {}
    [submission] = (await node.alice.one("EmailSubmission/get", ids=None))["list"]
    assert submission["envelope"]["mailFrom"] == {
        "email": "alice@example.org",
        "parameters": {"REQUIRETLS": None},
    }
