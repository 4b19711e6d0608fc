"""A message the MX's workers checked and sealed is stored exactly as the in-process path
stores it: same octets, same summary, same body structure, for awkward messages too."""

from __future__ import annotations

import asyncio
import smtplib
from typing import Any

import pytest
from support.smtp_node import SmtpNode

from api.core.recipient_check import RecipientCheck
from api.delivery.dns_lookup import build_resolver
from api.delivery.sender_checks import SenderChecks

HELO, SENDER = "client.good.test", "a@good.test"
_HEAD = (
    b"From: A <a@good.test>\r\nTo: alice@example.org\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n"
)
TRICKY = {
    "8-bit": _HEAD
    + "Subject: caf\u00e9 \u00fcber\r\n\r\nR\u00e9sum\u00e9 na\u00efve \u2603\r\n".encode()
    + b"latin-1 byte \xe9 alone\r\n",
    "malformed MIME": _HEAD
    + b"Subject: broken\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n"
    + b"--nob\r\nContent-Type: text/plain\r\n\r\nno boundary parameter\r\n"
    + b"--x\r\nContent-Transfer-Encoding: base64\r\n\r\n!!not base64!!\r\n",
    "unclosed parts": _HEAD
    + b'Subject: =?utf-8?q?half=\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n'
    + b"--b\r\nContent-Type: text/html\r\n\r\n<p>never closed\r\n--b\r\nNo-Colon-Here\r\n",
    "huge headers": _HEAD
    + b"".join(b"Received: from relay%d.good.test by mx; x\r\n" % n for n in range(2500))
    + b"Subject: "
    + b"\r\n ".join([b"long " * 150] * 20)  # folded: 20 lines of 750 octets
    + b"\r\n\r\nshort body\r\n",
}

PROPERTIES = [
    "subject", "from", "to", "cc", "bcc", "replyTo", "sender", "sentAt", "preview",
    "hasAttachment", "messageId", "inReplyTo", "references", "size", "keywords",
    "mailboxIds", "bodyStructure", "textBody", "htmlBody", "attachments", "headers",
]  # fmt: skip


def _send(node: SmtpNode, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", node.mx_port, timeout=30) as client:
        client.ehlo(HELO)
        client.sendmail(SENDER, ["alice@example.org"], raw, mail_options=["BODY=8BITMIME"])


async def _in_process(node: SmtpNode, raw: bytes) -> None:
    """The path without workers: checks in a thread, the copy sealed as it is stored."""
    services = node.services
    settings = services.settings
    checks = SenderChecks(build_resolver(settings.dns_zone_file), settings.hostname, True)
    verdict = await checks.check(raw, "127.0.0.1", SENDER, HELO)
    _, target = await RecipientCheck(services.store, services.quota).resolve("alice@example.org")
    outcome = await services.delivery.deliver("alice@example.org", verdict.stamped, SENDER, target)
    assert outcome.delivered == "yes"


def _without_blob_ids(value: Any) -> Any:
    """`value` less its parts' blobIds: each stored copy has its own."""
    if isinstance(value, dict):
        return {k: _without_blob_ids(v) for k, v in value.items() if k != "blobId"}
    if isinstance(value, list):
        return [_without_blob_ids(item) for item in value]
    return value


async def _stored(node: SmtpNode) -> list[tuple[dict[str, Any], bytes]]:
    client = node.alice
    ids = await client.one("Email/query", filter={"inMailbox": await client.mailbox("inbox")})
    got = await client.one("Email/get", ids=ids["ids"], properties=[*PROPERTIES, "blobId"])
    found = []
    for email in got["list"]:
        del email["id"]
        raw = await client.services.blobs.read_all(client.unlocked, email.pop("blobId"))
        found.append((_without_blob_ids(email), raw))
    return found


@pytest.mark.parametrize("kind", sorted(TRICKY))
async def test_a_worker_sealed_copy_is_stored_as_the_in_process_one(
    node: SmtpNode, kind: str
) -> None:
    raw = TRICKY[kind]
    assert node.services.settings.smtp_worker_processes > 0  # the MX seals in workers
    await asyncio.to_thread(_send, node, raw)
    await _in_process(node, raw)
    [(by_worker, worker_raw), (in_process, process_raw)] = await _stored(node)
    assert worker_raw == process_raw
    assert worker_raw.endswith(raw)  # under our Authentication-Results only
    assert by_worker == in_process
