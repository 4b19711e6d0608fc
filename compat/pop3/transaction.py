"""The TRANSACTION state's commands (RFC 1939 5, 7; RFC 2449 for UIDL and TOP): STAT,
LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, all on the session's snapshot of the Inbox."""

from __future__ import annotations

from api.core.errors import SealboxError
from compat.pop3.commands import Numbered, Simple, Top
from compat.pop3.context import Context, Reply
from compat.pop3.errors import Pop3Error, from_domain
from compat.pop3.maildrop import Message
from compat.pop3.message_octets import dot_stuffed, message_lines, read_message, top_lines

__all__ = [
    "handle_dele",
    "handle_list",
    "handle_noop",
    "handle_retr",
    "handle_rset",
    "handle_stat",
    "handle_top",
    "handle_uidl",
]

# Removed meanwhile by another client, past what the snapshot knows.
_GONE = frozenset({"blobNotFound", "notFound"})


async def handle_stat(context: Context) -> Reply:
    count, octets = context.transaction().maildrop.totals()
    return Reply(f"{count} {octets}")


def _scan(request: Simple | Numbered, context: Context, field: str) -> Reply:
    """LIST and UIDL share their shape: one message's line, or all of them multi-line."""
    maildrop = context.transaction().maildrop

    def value(message: Message) -> str:
        return str(message.size) if field == "size" else message.unique_id

    if isinstance(request, Numbered):
        return Reply(f"{request.number} {value(maildrop.message(request.number))}")
    lines = [f"{number} {value(message)}\r\n" for number, message in maildrop.listed()]
    return Reply("listing follows", ("".join(lines) + ".\r\n").encode())


async def handle_list(context: Context, request: Simple | Numbered) -> Reply:
    return _scan(request, context, "size")


async def handle_uidl(context: Context, request: Simple | Numbered) -> Reply:
    return _scan(request, context, "uid")


async def _lines(context: Context, number: int) -> tuple[Message, list[bytes]]:
    state = context.transaction()
    message = state.maildrop.message(number)
    try:
        raw = await read_message(context.services, state.account, message.blob_id)
    except SealboxError as exc:
        if exc.code in _GONE:
            raise Pop3Error(f"message {number} was removed by another client") from None
        raise from_domain(exc) from None
    return message, message_lines(raw)


async def handle_retr(context: Context, request: Numbered) -> Reply:
    message, lines = await _lines(context, request.number)
    return Reply(f"{message.size} octets", dot_stuffed(lines))


async def handle_top(context: Context, request: Top) -> Reply:
    _, lines = await _lines(context, request.number)
    return Reply("top of message follows", dot_stuffed(top_lines(lines, request.lines)))


async def handle_dele(context: Context, request: Numbered) -> Reply:
    maildrop = context.transaction().maildrop
    maildrop.message(request.number)
    maildrop.deleted.add(request.number)
    return Reply(f"message {request.number} deleted")


async def handle_rset(context: Context) -> Reply:
    maildrop = context.transaction().maildrop
    maildrop.deleted.clear()
    count, octets = maildrop.totals()
    return Reply(f"maildrop has {count} messages ({octets} octets)")


async def handle_noop(context: Context) -> Reply:
    context.transaction()
    return Reply()
