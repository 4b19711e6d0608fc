"""The typed commands a parsed line becomes (RFC 9051 6): one small Struct per shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from compat.imap.proto.fetch_items import FetchItem
from compat.imap.proto.qresync import Qresync
from compat.imap.proto.search_keys import SearchKey
from compat.imap.proto.sequence import SequenceSet

__all__ = [
    "Append",
    "AppendMessage",
    "Authenticate",
    "Command",
    "CopyMove",
    "Enable",
    "Fetch",
    "Id",
    "ListMailboxes",
    "Login",
    "MailboxCommand",
    "Rename",
    "Request",
    "Search",
    "Select",
    "Simple",
    "Sort",
    "SortCriterion",
    "Status",
    "Store",
    "Thread",
    "UidExpunge",
]


@dataclass(frozen=True, slots=True)
class Simple:
    """CAPABILITY NOOP LOGOUT STARTTLS CHECK CLOSE UNSELECT EXPUNGE IDLE NAMESPACE."""

    name: str


@dataclass(frozen=True, slots=True)
class Login:
    username: str
    password: str

    def __repr__(self) -> str:  # the password never reaches a log line
        return f"Login(username={self.username!r}, password=<hidden>)"


@dataclass(frozen=True, slots=True)
class Authenticate:
    mechanism: str
    # SASL-IR (RFC 4959) initial response, base64 as sent; None asks for a continuation.
    initial: str | None

    def __repr__(self) -> str:
        return f"Authenticate(mechanism={self.mechanism!r}, initial=<hidden>)"


@dataclass(frozen=True, slots=True)
class Enable:
    capabilities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Id:
    fields: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True)
class ListMailboxes:
    reference: str
    patterns: tuple[str, ...]
    lsub: bool = False
    subscribed_only: bool = False
    return_special_use: bool = False
    return_subscribed: bool = False
    return_status: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Status:
    mailbox: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Select:
    mailbox: str
    readonly: bool
    condstore: bool = False
    qresync: Qresync | None = None


@dataclass(frozen=True, slots=True)
class MailboxCommand:
    """CREATE DELETE SUBSCRIBE UNSUBSCRIBE."""

    name: str
    mailbox: str


@dataclass(frozen=True, slots=True)
class Rename:
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class AppendMessage:
    flags: tuple[str, ...]
    date: datetime | None
    message: bytes

    def __repr__(self) -> str:  # message octets never reach a log line
        return f"AppendMessage(flags={self.flags!r}, octets={len(self.message)})"


@dataclass(frozen=True, slots=True)
class Append:
    """One message, or several in one all-or-nothing command (RFC 3502 MULTIAPPEND)."""

    mailbox: str
    messages: tuple[AppendMessage, ...]


@dataclass(frozen=True, slots=True)
class Search:
    uid: bool
    key: SearchKey
    # ESEARCH (RFC 4731, 9051 6.4.4.1): None is a plain rev1 SEARCH answer.
    returns: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class SortCriterion:
    """One SORT key (RFC 5256 3, RFC 5957 DISPLAYFROM/DISPLAYTO), REVERSE or not."""

    key: str
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class Sort:
    uid: bool
    criteria: tuple[SortCriterion, ...]
    key: SearchKey


@dataclass(frozen=True, slots=True)
class Thread:
    uid: bool
    algorithm: str  # ORDEREDSUBJECT or REFERENCES (RFC 5256 3)
    key: SearchKey


@dataclass(frozen=True, slots=True)
class Fetch:
    uid: bool
    sequence: SequenceSet
    items: tuple[FetchItem, ...]
    changed_since: int | None = None
    # RFC 7162 3.2.6: also report the UIDs of the set expunged since changed_since.
    vanished: bool = False


@dataclass(frozen=True, slots=True)
class Store:
    uid: bool
    sequence: SequenceSet
    mode: str  # "+", "-" or "" (replace)
    silent: bool
    flags: tuple[str, ...]
    unchanged_since: int | None = None


@dataclass(frozen=True, slots=True)
class CopyMove:
    uid: bool
    name: str  # COPY or MOVE
    sequence: SequenceSet
    mailbox: str


@dataclass(frozen=True, slots=True)
class UidExpunge:
    sequence: SequenceSet


Request = (
    Simple
    | Login
    | Authenticate
    | Enable
    | Id
    | ListMailboxes
    | Status
    | Select
    | MailboxCommand
    | Rename
    | Append
    | Search
    | Sort
    | Thread
    | Fetch
    | Store
    | CopyMove
    | UidExpunge
)


@dataclass(frozen=True, slots=True)
class Command:
    tag: str
    request: Request
