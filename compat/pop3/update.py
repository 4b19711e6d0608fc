"""QUIT and the UPDATE state (RFC 1939 6): the messages marked by DELE leave the Inbox,
to Trash unless `pop3_delete = "destroy"`; a session that ends without QUIT changes
nothing."""

from __future__ import annotations

from compat.pop3.context import Context, Reply
from compat.pop3.errors import Pop3Error
from compat.pop3.session import Transaction

__all__ = ["handle_quit"]


async def handle_quit(context: Context) -> Reply:
    state = context.state
    if not isinstance(state, Transaction):
        return Reply("bye")
    marked = [message.email_id for message in state.maildrop.marked()]
    try:
        failure = await state.jmap.remove_from_inbox(marked, state.inbox_id, state.trash_id)
    except Pop3Error as error:
        failure = error
    if failure is not None:
        raise Pop3Error(f"some deleted messages not removed: {failure.text}", failure.code)
    return Reply(f"bye, {len(marked)} messages deleted")
