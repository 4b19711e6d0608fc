"""IDLE (RFC 9051 6.3.13, RFC 2177): wait on the account's state broker, push EXISTS /
EXPUNGE / FETCH as JMAP changes commit (from any node), until the client says DONE."""

from __future__ import annotations

import asyncio
import contextlib

from compat.imap.context import Context, Reply
from compat.imap.errors import ImapError
from compat.imap.updates import send_updates

__all__ = ["IDLE_TIMEOUT", "handle_idle"]

# 5.4: an authenticated session may idle 30 minutes without activity.
IDLE_TIMEOUT = 30 * 60.0


async def handle_idle(context: Context) -> Reply:
    state = context.authenticated()
    wire = context.wire
    with context.services.state_broker.subscribe(state.account.account_id) as subscription:
        await wire.line(b"+ idling")
        await send_updates(context)
        await wire.flush()
        done = asyncio.ensure_future(context.read_line())
        try:
            while True:
                woken = asyncio.ensure_future(subscription.wait())
                finished, _ = await asyncio.wait(
                    {done, woken}, timeout=IDLE_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
                )
                if woken not in finished:
                    woken.cancel()
                if done in finished:
                    break
                if not finished:
                    raise TimeoutError
                if subscription.closed:
                    raise ConnectionAbortedError("the server is stopping")
                await send_updates(context)
                await wire.flush()
        finally:
            if not done.done():
                done.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await done
    if done.result().strip().upper() != b"DONE":
        raise ImapError("expected DONE", None, "BAD")
    return Reply("idle done")
