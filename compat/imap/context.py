"""What a command handler works with: the session state, the wire, the connection's facts
(RFC 9051 7: untagged data first, then the tagged completion)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from api.services import Services
from compat.imap.errors import ImapError
from compat.imap.session import Authenticated, NotAuthenticated, Selected, SessionState

__all__ = ["Context", "Reply", "Wire"]

# Untagged data is buffered and drained in chunks this big: a `UID FETCH 1:*` over a large
# mailbox streams out instead of piling up in memory.
_DRAIN_AT = 256 * 1024


@dataclass(frozen=True)
class Reply:
    """The tagged OK's code and text."""

    text: str = "completed"
    code: str | None = None


class Wire:
    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer

    async def untagged(self, data: bytes) -> None:
        self.writer.write(b"* " + data + b"\r\n")
        await self.maybe_drain()

    async def line(self, data: bytes) -> None:
        self.writer.write(data + b"\r\n")
        await self.maybe_drain()

    async def maybe_drain(self) -> None:
        transport = self.writer.transport
        if transport.get_write_buffer_size() >= _DRAIN_AT:
            await self.writer.drain()

    async def flush(self) -> None:
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

    @property
    def utf8(self) -> bool:
        """Mailbox names travel as UTF-8, not modified UTF-7 (RFC 9051 5.1, RFC 6855)."""
        return bool(self.enabled & {"IMAP4REV2", "UTF8=ACCEPT"})

    @property
    def condstore(self) -> bool:
        return "CONDSTORE" in self.enabled

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
