"""From a parsed POP3 request to its handler (RFC 1939 4-7): one table, no state checks
here; each handler asks the context for the state it needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from compat.pop3.authentication import handle_auth, handle_capa, handle_pass, handle_user
from compat.pop3.commands import Auth, Numbered, Pass, Request, Simple, Top, User
from compat.pop3.context import Context, Reply
from compat.pop3.transaction import (
    handle_dele,
    handle_list,
    handle_noop,
    handle_retr,
    handle_rset,
    handle_stat,
    handle_top,
    handle_uidl,
)
from compat.pop3.update import handle_quit

__all__ = ["run_request"]

_SIMPLE: dict[str, Callable[[Context], Awaitable[Reply]]] = {
    "STAT": handle_stat,
    "NOOP": handle_noop,
    "RSET": handle_rset,
    "QUIT": handle_quit,
    "CAPA": handle_capa,
}
_NUMBERED: dict[str, Callable[[Context, Numbered], Awaitable[Reply]]] = {
    "LIST": handle_list,
    "UIDL": handle_uidl,
    "RETR": handle_retr,
    "DELE": handle_dele,
}


async def run_request(context: Context, request: Request) -> Reply:
    """Everything but STLS, which the connection runs since it swaps the transport."""
    if isinstance(request, Simple):
        if request.name in ("LIST", "UIDL"):
            scan = handle_list if request.name == "LIST" else handle_uidl
            return await scan(context, request)
        return await _SIMPLE[request.name](context)
    if isinstance(request, Numbered):
        return await _NUMBERED[request.name](context, request)
    if isinstance(request, Top):
        return await handle_top(context, request)
    if isinstance(request, User):
        return await handle_user(context, request)
    if isinstance(request, Pass):
        return await handle_pass(context, request)
    assert isinstance(request, Auth)
    return await handle_auth(context, request)
