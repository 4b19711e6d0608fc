"""Delivery status notifications (RFC 3464): a multipart/report telling the sender why not,
or, while retries go on, that the message is late.

The third part carries only the original header section (text/rfc822-headers, RFC 6522
allows it): enough to recognise the message, without sending its body around again.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.policy import SMTP
from email.utils import formatdate
from typing import Literal

from api.mime.header_edit import header_section

__all__ = ["Bounce", "build_dsn", "status_code"]

_ENHANCED = re.compile(r"^[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})\b")


@dataclass(frozen=True, slots=True)
class Bounce:
    """Why one recipient failed, or is still waiting (RFC 3464 2.3)."""

    recipient: str
    reply: str
    status: str
    remote_mta: str = ""
    original_recipient: str | None = None
    action: Literal["failed", "delayed"] = "failed"
    # For "delayed": when the retries end (RFC 3464 2.3.7 Will-Retry-Until).
    retry_until: int | None = None


def status_code(reply: str, *, expired: bool = False) -> str:
    """RFC 3463 status for a reply: its enhanced code, else one from its class."""
    if expired:
        return "4.4.7"  # RFC 3463 3.5: delivery time expired
    found = _ENHANCED.match(reply)
    if found:
        return found.group(1)
    return "5.0.0" if reply.startswith("5") else "4.0.0"


def _fields(pairs: list[tuple[str, str]]) -> Message:
    block = Message()
    for name, value in pairs:
        block[name] = value
    return block


def _delivery_status(bounce: Bounce, reporting_mta: str, arrival: int) -> EmailMessage:
    per_message = [("Reporting-MTA", f"dns; {reporting_mta}")]
    per_message.append(("Arrival-Date", formatdate(arrival, usegmt=True)))
    per_recipient = []
    if bounce.original_recipient:
        per_recipient.append(("Original-Recipient", bounce.original_recipient))
    per_recipient += [
        ("Final-Recipient", f"rfc822; {bounce.recipient}"),
        ("Action", bounce.action),
        ("Status", bounce.status),
    ]
    if bounce.retry_until is not None:
        per_recipient.append(("Will-Retry-Until", formatdate(bounce.retry_until, usegmt=True)))
    if bounce.remote_mta:
        per_recipient.append(("Remote-MTA", f"dns; {bounce.remote_mta}"))
    per_recipient.append(("Diagnostic-Code", f"smtp; {bounce.reply}"))
    part = EmailMessage()
    part.set_type("message/delivery-status")
    part.set_payload([_fields(per_message), _fields(per_recipient)])
    return part


def build_dsn(
    *, to: str, bounce: Bounce, original: bytes, reporting_mta: str, arrival: int
) -> bytes:
    """The RFC 3464 report for one recipient, addressed to the envelope sender."""
    delayed = bounce.action == "delayed"
    report = EmailMessage()
    report["From"] = f"Mail Delivery System <MAILER-DAEMON@{reporting_mta}>"
    report["To"] = to
    report["Subject"] = (
        "Delayed Mail (still being retried)" if delayed else "Undelivered Mail Returned to Sender"
    )
    report["Date"] = formatdate(usegmt=True)
    report["Message-ID"] = f"<{secrets.token_hex(12)}@{reporting_mta}>"
    # RFC 3834 5: automatic, so auto-responders do not answer it.
    report["Auto-Submitted"] = "auto-replied"
    report.make_mixed()
    report.set_type("multipart/report")
    report.set_param("report-type", "delivery-status")
    human = EmailMessage()
    if delayed and bounce.retry_until is not None:
        until = formatdate(bounce.retry_until, usegmt=True)
        opening = (
            "Your message has not been delivered to one recipient yet. This is only a "
            f"warning: delivery will be retried until {until}; you need not send it again.\n\n"
        )
    else:
        opening = "Your message could not be delivered to one recipient.\n\n"
    human.set_content(f"{opening}Recipient: {bounce.recipient}\nReason: {bounce.reply}\n")
    report.attach(human)
    report.attach(_delivery_status(bounce, reporting_mta, arrival))
    headers = EmailMessage()
    headers.set_type("text/rfc822-headers")
    headers.set_payload(header_section(original)[0].decode("ascii", "replace"))
    report.attach(headers)
    return report.as_bytes(policy=SMTP)
