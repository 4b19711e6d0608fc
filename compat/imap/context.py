"""What a command handler works with: the session state, the wire, the connection's facts
(RFC 9051 7: untagged data first, then the tagged completion)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from api.services import Services
from compat.imap.errors import ImapError
from compat.imap.listing_cache import ListingCache
from compat.imap.session import Authenticated, NotAuthenticated, Selected, SessionState
from compat.imap.sort_facts import FactCache

__all__ = ["Context", "Reply", "Wire"]

# Lines are gathered and handed to the transport this many octets at a time: one write
# (one TLS record run) per line made a `UID FETCH 1:*` of 16,000 lines cost more in
# asyncio's SSL layer than in the command itself.
_WRITE_AT = 64 * 1024
# The transport's buffer is drained when it holds this much: a `UID FETCH 1:*` over a
# large mailbox streams out instead of piling up in memory.
_DRAIN_AT = 256 * 1024


@dataclass(frozen=True)
class Reply:
    """The tagged OK's code and text."""

    text: str = "completed"
    code: str | None = None


class Wire:
    """Buffered output; `flush` (after every command, before a continuation request or
    STARTTLS) sends what is gathered."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self._pending = bytearray()

    async def untagged(self, data: bytes) -> None:
        await self.line(b"* " + data)

    async def line(self, data: bytes) -> None:
        self._pending += data
        await self.raw(b"\r\n")

    async def raw(self, data: bytes) -> None:
        """Octets already in wire form (whole lines, CRLF included)."""
        self._pending += data
        if len(self._pending) >= _WRITE_AT:
            self._send()
            await self.maybe_drain()

    def _send(self) -> None:
        if self._pending:
            # A fresh buffer, not clear(): the transport may still hold this one.
            self.writer.write(self._pending)
            self._pending = bytearray()

    async def maybe_drain(self) -> None:
        transport = self.writer.transport
        if transport.get_write_buffer_size() >= _DRAIN_AT:
            await self.writer.drain()

    async def flush(self) -> None:
        self._send()
        await self.writer.drain()


@dataclass
class Context:
    wire: Wire
    services: Services
    client: str
    tls: bool
    # Reads one client line after a `+` continuation (AUTHENTICATE, IDLE's DONE).
    read_line: Callable[[], Awaitable[bytes]]
    state: SessionState = field(default_factory=NotAuthenticated)
    # The running command's tag, for responses that quote it (ESEARCH).
    tag: str = ""
    enabled: set[str] = field(default_factory=set)
    # Mailbox listings between SELECTs; the listener shares one among its connections.
    listings: ListingCache = field(default_factory=ListingCache)
    # Immutable facts of messages this connection sorted or searched (sort_facts.py).
    facts: FactCache = field(default_factory=FactCache)

    @property
    def utf8(self) -> bool:
        """Mailbox names travel as UTF-8, not modified UTF-7 (RFC 9051 5.1, RFC 6855)."""
        return bool(self.enabled & {"IMAP4REV2", "UTF8=ACCEPT"})

    @property
    def condstore(self) -> bool:
        return "CONDSTORE" in self.enabled

    @property
    def qresync(self) -> bool:
        """Expunges go out as VANISHED, not EXPUNGE (RFC 7162 3.2.10)."""
        return "QRESYNC" in self.enabled

    def authenticated(self) -> Authenticated:
        if not isinstance(self.state, Authenticated):
            raise ImapError("sign in first", None, "BAD")
        return self.state

    def selected(self) -> Selected:
        if not isinstance(self.state, Selected):
            raise ImapError("select a mailbox first", None, "BAD")
        return self.state

    def unselect(self) -> None:
        state = self.state
        if isinstance(state, Selected):
            self.state = Authenticated(state.account, state.jmap)
