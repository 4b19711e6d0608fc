"""What a POP3 command handler works with: the session state, the connection's facts, and
the reply it returns (RFC 1939 3: a status line, then for some commands a multi-line body)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from api.services import Services
from compat.pop3.errors import Pop3Error
from compat.pop3.maildrop import MaildropLocks
from compat.pop3.session import Authorization, SessionState, Transaction

__all__ = ["Context", "Reply"]


@dataclass(frozen=True)
class Reply:
    """`+OK text`, then `body` (already CRLF-ended and terminated by ".") when multi-line."""

    text: str = ""
    body: bytes | None = None


@dataclass
class Context:
    services: Services
    client: str
    tls: bool
    locks: MaildropLocks
    # Writes a line and reads the client's answer (the AUTH continuation, RFC 5034 4).
    challenge: Callable[[bytes], Awaitable[bytes]]
    state: SessionState = field(default_factory=Authorization)

    def transaction(self) -> Transaction:
        if not isinstance(self.state, Transaction):
            raise Pop3Error("sign in first")
        return self.state

    def authorization(self) -> Authorization:
        if not isinstance(self.state, Authorization):
            raise Pop3Error("already signed in")
        return self.state
