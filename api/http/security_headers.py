"""Headers every HTTPS response carries: HSTS, no sniffing, no referrer, no caching of /auth,
and a Content-Security-Policy for the webmail.

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
# The SPA loads only its own scripts and talks only to this origin. Mail is shown in a
# sandboxed srcdoc frame that inherits this policy and adds its own (no scripts, images
# only once allowed): hence inline styles (mail needs them) and https images here.
_WEBMAIL_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: https:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in _ALWAYS.items():
        headers.setdefault(name, value)
    path = scope.get("path", "")
    if path.startswith("/auth"):
        headers["cache-control"] = "no-store"
    if path.startswith("/webmail"):
        headers.setdefault("content-security-policy", _WEBMAIL_CSP)
