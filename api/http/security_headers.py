"""Headers every HTTPS response carries: HSTS, no sniffing, no referrer, no caching of /auth.

A `before_send` hook rather than middleware: middleware runs only for routed requests,
and a 404 or 405 must carry the same headers.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

__all__ = ["add_security_headers"]

_ALWAYS = {
    "strict-transport-security": "max-age=31536000",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in _ALWAYS.items():
        headers.setdefault(name, value)
    if scope.get("path", "").startswith("/auth"):
        headers["cache-control"] = "no-store"
