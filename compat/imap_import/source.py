"""The other provider's IMAP server, read with aioimaplib (RFC 9051; STARTTLS RFC 2595).

Read-only in effect: bodies come with BODY.PEEK[] so \\Seen never changes at the source.
One message's octets at a time are in memory, never a whole folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Any

import aioimaplib

from compat.imap_import.responses import (
    ListedFolder,
    MessageFacts,
    parse_fetch_facts,
    parse_list,
    parse_message,
    uid_validity,
)
from compat.imap_import.source_url import SourceAddress
from crypto.secret_value import SecretStr

__all__ = ["ImapSource", "SourceError", "tls_context"]

# Generous: one FETCH may carry a message of tens of megabytes over a slow link.
_TIMEOUT_SECONDS = 300.0


class SourceError(Exception):
    """The source server could not be reached, refused the login or answered NO/BAD."""


def tls_context(*, verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if not verify:
        # --insecure: only for test servers with self-signed certificates.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(response: Any, what: str) -> list[bytes]:
    if response.result != "OK":
        detail = b" ".join(bytes(x) for x in response.lines[-1:]).decode("utf-8", "replace")
        raise SourceError(f"the source server refused {what}: {detail[:200]}")
    return list(response.lines)


class ImapSource:
    def __init__(self, client: Any, address: SourceAddress) -> None:
        self._client = client
        self.address = address

    @classmethod
    async def connect(
        cls, address: SourceAddress, password: SecretStr, *, verify: bool = True
    ) -> ImapSource:
        context = tls_context(verify=verify)
        client: Any
        if address.implicit_tls:
            client = aioimaplib.IMAP4_SSL(
                address.host, address.port, timeout=_TIMEOUT_SECONDS, ssl_context=context
            )
        else:
            client = aioimaplib.IMAP4(address.host, address.port, timeout=_TIMEOUT_SECONDS)
        where = f"{address.host}:{address.port}"
        try:
            await client.wait_hello_from_server()
            if not address.implicit_tls:
                await _starttls(client, context, address.host)
            login = await client.login(_quoted(address.user), password.reveal())
        except ssl.SSLError as exc:
            raise SourceError(f"TLS with {where} failed: {exc.reason or exc}") from None
        except (OSError, TimeoutError, aioimaplib.AioImapException) as exc:
            raise SourceError(f"cannot reach the source server {where}: {exc}") from None
        _ok(login, "the login")
        return cls(client, address)

    async def folders(self) -> list[ListedFolder]:
        return parse_list(_ok(await self._client.list('""', '"*"'), "LIST"))

    async def select(self, folder: ListedFolder) -> int:
        """Open the folder; returns its UIDVALIDITY."""
        lines = _ok(await self._client.select(_quoted(folder.wire_name)), f"SELECT {folder.name}")
        return uid_validity(lines)

    async def facts(self, above_uid: int) -> list[MessageFacts]:
        """UID, flags, date and size of each message with a UID above `above_uid`."""
        # `n:*` names the last message even when its UID is below n (RFC 9051 6.4.8).
        answer = await self._client.uid(
            "fetch", f"{above_uid + 1}:*", "(UID FLAGS INTERNALDATE RFC822.SIZE)"
        )
        facts = parse_fetch_facts(_ok(answer, "FETCH"))
        return sorted((f for f in facts if f.uid > above_uid), key=lambda f: f.uid)

    async def message(self, uid: int) -> bytes | None:
        """The message's exact octets; None when it was expunged in the meantime."""
        answer = await self._client.uid("fetch", str(uid), "(UID BODY.PEEK[])")
        return parse_message(_ok(answer, "FETCH"), uid)

    async def close(self) -> None:
        # Leaving anyway: a failed LOGOUT only means the server drops the connection.
        with contextlib.suppress(OSError, TimeoutError, aioimaplib.AioImapException):
            await asyncio.wait_for(self._client.logout(), 10)


async def _starttls(client: Any, context: ssl.SSLContext, host: str) -> None:
    """aioimaplib has no STARTTLS: ask for it, then upgrade the transport in place."""
    protocol = client.protocol
    if "STARTTLS" not in protocol.capabilities:
        raise SourceError("the source server offers no STARTTLS; use imaps://")
    command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
    _ok(await asyncio.wait_for(protocol.execute(command), _TIMEOUT_SECONDS), "STARTTLS")
    loop = asyncio.get_running_loop()
    protocol.transport = await loop.start_tls(
        protocol.transport, protocol, context, server_hostname=host
    )
    # RFC 2595 3.1: capabilities from before TLS must be forgotten.
    await protocol.capability()
