"""GET eventSourceUrl (RFC 8620 7.3): the push stream of state changes for the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar import Response, get
from litestar.params import FromQuery
from litestar.response import Stream

from api.http.principal import AnyRequest, ServicesDep, resolve_principal
from api.jmap.errors import MethodError
from api.jmap.event_source import event_stream, parse_options
from api.store.ids import AccountId

__all__ = ["event_source"]


@get("/jmap/eventsource/", summary="JMAP push over EventSource (RFC 8620 7.3)", tags=["jmap"])
async def event_source(
    request: AnyRequest,
    services: ServicesDep,
    types: FromQuery[str] = "*",
    closeafter: FromQuery[str] = "no",
    ping: FromQuery[str] = "0",
) -> Stream | Response[dict[str, str]]:
    """A text/event-stream of `state` events (StateChange objects) and `ping` events."""
    principal = await resolve_principal(request, services, challenge=True)
    try:
        options = parse_options(types, closeafter, ping)
    except MethodError as exc:
        body = {"type": "about:blank", "detail": exc.description or exc.type}
        return Response(body, status_code=400, media_type="application/problem+json")
    account_id = AccountId(principal.unlocked.account_id)

    async def events() -> AsyncIterator[bytes]:
        with services.state_broker.subscribe(account_id) as subscription:
            async for chunk in event_stream(services, account_id, subscription, options):
                yield chunk

    return Stream(
        events(),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache, no-store", "x-accel-buffering": "no"},
    )
