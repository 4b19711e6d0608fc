"""An SMTP test node (services, an account, its app password, ports) and mailbox reading."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

from api.services import Services
from support.jmap_client import Client

__all__ = ["SmtpNode", "inbox_messages"]


@dataclass
class SmtpNode:
    services: Services
    alice: Client
    app_password: str
    mx_port: int
    submission_port: int
    submissions_port: int
    client_tls: ssl.SSLContext


async def inbox_messages(client: Client, role: str = "inbox") -> list[tuple[dict[str, Any], bytes]]:
    """Every email in the mailbox with its raw octets (blob download, decrypted)."""
    mailbox = await client.mailbox(role)
    ids = (await client.one("Email/query", filter={"inMailbox": mailbox}))["ids"]
    got = await client.one("Email/get", ids=ids, properties=["subject", "blobId", "keywords"])
    return [
        (email, await client.services.blobs.read_all(client.unlocked, email["blobId"]))
        for email in got["list"]
    ]
