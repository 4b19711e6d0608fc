"""Which handler answers a parsed command and in which session states (RFC 9051 6, 3),
and where unsolicited updates may follow (7.5.1, 5.5; RFC 7162 3.2.7)."""

from __future__ import annotations

from compat.imap.append import handle_append
from compat.imap.authentication import handle_authenticate, handle_capability, handle_login
from compat.imap.context import Context, Reply
from compat.imap.copy_move import handle_copy_move
from compat.imap.errors import ImapError
from compat.imap.expunge import handle_expunge, handle_uid_expunge
from compat.imap.fetch import handle_fetch
from compat.imap.idle import handle_idle
from compat.imap.listing import handle_list, handle_status
from compat.imap.mailbox_admin import handle_mailbox_command, handle_rename
from compat.imap.proto.commands import (
    Append,
    Authenticate,
    CopyMove,
    Enable,
    Fetch,
    Id,
    ListMailboxes,
    Login,
    MailboxCommand,
    Rename,
    Request,
    Search,
    Select,
    Simple,
    Sort,
    Status,
    Store,
    Thread,
    UidExpunge,
)
from compat.imap.search import handle_search
from compat.imap.select import handle_close, handle_select, handle_unselect
from compat.imap.session import Selected
from compat.imap.session_info import handle_enable, handle_id, handle_namespace
from compat.imap.sort import handle_sort
from compat.imap.store import handle_store
from compat.imap.threads import handle_thread
from compat.imap.updates import send_updates

__all__ = ["run_request"]


async def _simple(context: Context, name: str) -> Reply:
    if name == "CAPABILITY":
        return await handle_capability(context, context.services.settings.imap_max_append_octets)
    if name == "NOOP":
        return Reply("noop")
    if name == "CHECK":
        context.selected()
        return Reply("checked")
    if name == "CLOSE":
        return await handle_close(context)
    if name == "UNSELECT":
        return await handle_unselect(context)
    if name == "EXPUNGE":
        return await handle_expunge(context)
    if name == "IDLE":
        return await handle_idle(context)
    if name == "NAMESPACE":
        return await handle_namespace(context)
    # LOGOUT and STARTTLS touch the transport: the connection answers them.
    raise ImapError(f"{name} is not handled here", None, "BAD")


async def _answer(context: Context, request: Request) -> Reply:
    match request:
        case Simple(name=name):
            return await _simple(context, name)
        case Login():
            return await handle_login(context, request)
        case Authenticate():
            return await handle_authenticate(context, request)
        case Enable():
            return await handle_enable(context, request)
        case Id():
            return await handle_id(context, request)
        case ListMailboxes():
            return await handle_list(context, request)
        case Status():
            return await handle_status(context, request)
        case Select():
            return await handle_select(context, request)
        case MailboxCommand():
            return await handle_mailbox_command(context, request)
        case Rename():
            return await handle_rename(context, request)
        case Append():
            return await handle_append(context, request)
        case Search():
            return await handle_search(context, request)
        case Sort():
            return await handle_sort(context, request)
        case Thread():
            return await handle_thread(context, request)
        case Fetch():
            return await handle_fetch(context, request)
        case Store():
            return await handle_store(context, request)
        case CopyMove():
            return await handle_copy_move(context, request)
        case UidExpunge():
            return await handle_uid_expunge(context, request)
    raise ImapError("unknown command", None, "BAD")


def _updates_allowed(request: Request) -> bool:
    """5.5: no EXPUNGE while answering FETCH, STORE, SEARCH, SORT or THREAD (their UID
    forms are fine); SELECT reports its own counts."""
    if isinstance(request, Fetch | Store | Search | Sort | Thread):
        return request.uid
    if isinstance(request, Simple):
        return request.name not in ("CLOSE", "UNSELECT", "IDLE")
    return not isinstance(request, Select)


async def run_request(context: Context, request: Request) -> Reply:
    """The handler's reply, after the untagged updates the session owes the client."""
    if isinstance(request, Fetch | Search | Sort | Thread) and request.uid:
        # 7.4.1 lets UID commands carry EXPUNGE: bring the session up to date first, and
        # the answer comes from it (flags too) without a second listing of the changes.
        await send_updates(context)
        return await _answer(context, request)
    reply = await _answer(context, request)
    if _updates_allowed(request):
        await send_updates(context)
    state = context.state
    if context.qresync and isinstance(state, Selected) and _expunges(request):
        # RFC 7162 3.2.7: the tagged OK names the HIGHESTMODSEQ the expunge left, read
        # after the updates above so that no change below it is still unsent.
        return Reply(reply.text, f"HIGHESTMODSEQ {state.mailbox.highest_modseq}")
    return reply


def _expunges(request: Request) -> bool:
    """EXPUNGE, UID EXPUNGE and (RFC 6851 4.4, which reports like them) MOVE."""
    if isinstance(request, CopyMove):
        return request.name == "MOVE"
    return isinstance(request, UidExpunge) or request == Simple("EXPUNGE")
