"""The EventSource push channel (RFC 8620 7.3): StateChange and ping events as text.

Independent of HTTP: yields the bytes of a text/event-stream for one subscriber, so the
HTTP edge only streams them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import msgspec

from api.core.push import Subscription
from api.jmap.errors import InvalidArgumentsError
from api.jmap.states import state_string
from api.services import Services
from api.store.ids import AccountId

__all__ = ["PUSH_TYPES", "EventSourceOptions", "event_stream", "parse_options"]

# Data types whose state clients can follow; grows with each data type.
PUSH_TYPES = ("Email", "EmailSubmission", "Identity", "Mailbox", "Thread", "VacationResponse")
# 7.3: servers must accept intervals up to 300 s and must not demand more than 30 s.
MIN_PING, MAX_PING = 1, 300


class EventSourceOptions(msgspec.Struct, frozen=True):
    types: frozenset[str]
    close_after_state: bool
    ping: int  # seconds; 0 means no pings


def parse_options(types: str, closeafter: str, ping: str) -> EventSourceOptions:
    """Validate the URL template variables; a bad value is a client error."""
    if closeafter not in ("state", "no"):
        raise InvalidArgumentsError("closeafter must be 'state' or 'no'")
    if not ping.isdigit():
        raise InvalidArgumentsError("ping must be a non-negative integer")
    wanted = frozenset(PUSH_TYPES) if types == "*" else frozenset(filter(None, types.split(",")))
    seconds = int(ping)
    return EventSourceOptions(
        types=wanted & frozenset(PUSH_TYPES),
        close_after_state=closeafter == "state",
        ping=0 if seconds == 0 else min(MAX_PING, max(MIN_PING, seconds)),
    )


def _event(name: str, data: object) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + msgspec.json.encode(data) + b"\n\n"


async def _state_change(services: Services, account_id: AccountId, types: Sequence[str]) -> bytes:
    states = {}
    async with services.store.transaction() as tx:
        for type_name in sorted(types):
            states[type_name] = state_string(await tx.changes.state(account_id, type_name))
    return _event("state", {"@type": "StateChange", "changed": {account_id: states}})


async def event_stream(
    services: Services,
    account_id: AccountId,
    subscription: Subscription,
    options: EventSourceOptions,
) -> AsyncIterator[bytes]:
    """Events until the client goes, the server stops, or (closeafter=state) one state."""
    timeout = options.ping or None
    # A comment line at once: proxies and clients see the stream open before any change.
    yield b": sealbox push\n\n"
    while not subscription.closed:
        try:
            async with asyncio.timeout(timeout):
                changed = await subscription.wait()
        except TimeoutError:
            yield _event("ping", {"interval": options.ping})
            continue
        relevant = changed & options.types
        if relevant:
            yield await _state_change(services, account_id, sorted(relevant))
            if options.close_after_state:
                return
