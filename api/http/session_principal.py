"""The principal of a signed-in session only, for routes that manage credentials.

HTTP Basic is refused there: an app password must not mint more app passwords or turn
the second factor off, and the account password over Basic never passed a second factor.
"""

from __future__ import annotations

from litestar.exceptions import NotAuthorizedException

from api.http.principal import AnyRequest, Principal, resolve_principal
from api.services import Services

__all__ = ["resolve_session_principal"]


async def resolve_session_principal(request: AnyRequest, services: Services) -> Principal:
    if request.headers.get("authorization", "").lower().startswith("basic"):
        raise NotAuthorizedException("sign in with a session (cookie or bearer token) for this")
    return await resolve_principal(request, services, challenge=False)
