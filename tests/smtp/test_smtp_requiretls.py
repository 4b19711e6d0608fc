"""RFC 8689 end to end: one Sealbox's outbound queue hands a REQUIRETLS message to
another's MX, over STARTTLS with the certificate verified, and it lands in the Inbox."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.environment import sealbox_settings
from support.jmap_client import make_client
from support.outbound import FakeClock, queue_sender
from support.smtp_node import SmtpNode, inbox_messages

from api.services import Services, build_services
from api.tls import ensure_certificate

MESSAGE = (
    b"From: Dave <dave@sender.test>\r\nTo: Alice <alice@example.org>\r\n"
    b"Subject: Only over TLS\r\nMessage-ID: <requiretls-1@sender.test>\r\n"
    b"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nNever in clear.\r\n"
)


@pytest.fixture
async def sending_node(
    node: SmtpNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Services]:
    """A second Sealbox whose mail for example.org goes to `node`'s MX, trusting its
    certificate (issued for 127.0.0.1 among others) as if a public CA had signed it."""
    certificate, _, _ = ensure_certificate(node.services.settings)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
    settings = sealbox_settings(
        tmp_path / "sender",
        "",
        hostname="mx.sender.test",
        outbound_transport=f"example.org=127.0.0.1:{node.mx_port}",
    )
    services = build_services(settings)
    await services.store.migrate()
    try:
        yield services
    finally:
        await services.close()


async def test_a_requiretls_message_crosses_to_another_sealbox(
    node: SmtpNode, sending_node: Services
) -> None:
    dave = await make_client(sending_node, "dave@sender.test")
    identity = (await dave.one("Identity/get", ids=None))["list"][0]
    email_id = (await dave.import_email(MESSAGE, role="drafts"))["id"]
    envelope = {
        "mailFrom": {"email": "dave@sender.test", "parameters": {"REQUIRETLS": None}},
        "rcptTo": [{"email": "alice@example.org"}],
    }
    created = await dave.one(
        "EmailSubmission/set",
        create={"s": {"emailId": email_id, "identityId": identity["id"], "envelope": envelope}},
    )
    submission_id = created["created"]["s"]["id"]

    run = await queue_sender(sending_node, FakeClock(int(time.time()) + 60)).run_once()
    got = await dave.one("EmailSubmission/get", ids=[submission_id])
    status = got["list"][0]["deliveryStatus"]["alice@example.org"]
    assert run.delivered == 1, status
    assert status["delivered"] == "yes" and status["smtpReply"].startswith("250 2.0.0")
    [(email, raw)] = await inbox_messages(node.alice)
    assert email["subject"] == "Only over TLS"
    assert b"Never in clear." in raw
