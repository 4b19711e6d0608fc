"""Headers every HTTPS response carries: HSTS, no sniffing, no referrer, no caching of /auth."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.middleware import AbstractMiddleware
from litestar.types import Message, Receive, Scope, Send

__all__ = ["SecurityHeadersMiddleware"]

_ALWAYS = {
    "strict-transport-security": "max-age=31536000",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


class SecurityHeadersMiddleware(AbstractMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        no_store = scope.get("path", "").startswith("/auth")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in _ALWAYS.items():
                    headers.setdefault(name, value)
                if no_store:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
