"""APPEND's arguments (RFC 9051 6.3.12; RFC 3502 MULTIAPPEND 6): a mailbox, then one or
more messages, each `[flag-list] [date-time] literal`.

Kept apart from the command parser so the one-or-many message grammar has one home.
"""

from __future__ import annotations

from datetime import datetime

from compat.imap.proto.commands import Append, AppendMessage
from compat.imap.proto.tokens import Atom, ParseError, Str, Token, TokenList, astring

__all__ = ["MAX_APPEND_MESSAGES", "parse_append"]

# One command is held whole in memory and imported in one go: bound how many it carries.
MAX_APPEND_MESSAGES = 100
_DATE_TIME = "%d-%b-%Y %H:%M:%S %z"


def _flags(token: TokenList) -> tuple[str, ...]:
    if not all(isinstance(t, Atom) for t in token.items):
        raise ParseError("APPEND flags are atoms")
    return tuple(t.text for t in token.items if isinstance(t, Atom))


def _date(token: Str, number: int) -> datetime:
    # 9 date-time is always quoted: a literal here would be read as the message.
    try:
        return datetime.strptime(token.value.decode("ascii").strip(), _DATE_TIME)
    except (UnicodeDecodeError, ValueError):
        raise ParseError(f"bad APPEND date-time (message {number})") from None


def parse_append(args: list[Token]) -> Append:
    """`mailbox 1*([flags] [date] literal)`; ParseError naming the message that broke."""
    if len(args) < 2:
        raise ParseError("APPEND mailbox [flags] [date] literal ...")
    mailbox = astring(args[0])
    messages: list[AppendMessage] = []
    rest = iter(args[1:])
    for token in rest:
        number = len(messages) + 1
        if number > MAX_APPEND_MESSAGES:
            raise ParseError(f"at most {MAX_APPEND_MESSAGES} messages per APPEND")
        flags: tuple[str, ...] = ()
        date = None
        current: Token | None = token
        if isinstance(current, TokenList):
            flags = _flags(current)
            current = next(rest, None)
        if isinstance(current, Str) and not current.literal:
            date = _date(current, number)
            current = next(rest, None)
        if not isinstance(current, Str) or not current.literal:
            raise ParseError(f"APPEND needs message {number} as a literal")
        messages.append(AppendMessage(flags, date, current.value))
    return Append(mailbox, tuple(messages))
