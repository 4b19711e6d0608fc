"""Who is calling: a session cookie, a bearer token, or HTTP Basic (RFC 7617) credentials."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from api.core.unlocked import UnlockedAccount
from api.services import Services
from crypto.secret_value import SecretStr

__all__ = [
    "SESSION_COOKIE",
    "AnyConnection",
    "AnyRequest",
    "Principal",
    "ServicesDep",
    "client_address",
    "resolve_principal",
]

SESSION_COOKIE = "sealbox_session"
# Handlers name the app-wide `services` dependency explicitly (Litestar 3 requires it).
ServicesDep = NamedDependency[Services]
AnyRequest = Request[Any, Any, State]
# HTTP requests and WebSocket upgrades alike carry the credentials in headers/cookies.
AnyConnection = ASGIConnection[Any, Any, Any, State]
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="Sealbox", charset="UTF-8"'}


@dataclass(frozen=True)
class Principal:
    unlocked: UnlockedAccount
    # Set when the caller holds a session (cookie or bearer): logout and "keep this one".
    session_token: str | None
    session_id_hash: bytes | None


def client_address(request: AnyConnection) -> str:
    return request.client.host if request.client else "unknown"


def _basic_credentials(value: str) -> tuple[str, SecretStr] | None:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except ValueError:  # binascii.Error, non-ASCII input, UnicodeDecodeError
        return None
    username, colon, secret = decoded.partition(":")
    if not colon or not username:
        return None
    return username, SecretStr(secret)


async def resolve_principal(
    request: AnyConnection, services: Services, *, challenge: bool
) -> Principal:
    """Authenticate the request or raise 401.

    `challenge` adds a Basic WWW-Authenticate header, which API clients expect but which
    would make a browser pop up its own password dialog over the webmail.
    """
    headers = _CHALLENGE if challenge else None
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        credentials = _basic_credentials(value.strip())
        if credentials is None:
            raise NotAuthorizedException("malformed Basic credentials", headers=headers)
        username, secret = credentials
        unlocked = await services.credentials.authenticate(
            username, secret, client_address(request)
        )
        return Principal(unlocked, None, None)
    token = value.strip() if scheme.lower() == "bearer" else request.cookies.get(SESSION_COOKIE)
    if token:
        resolved = await services.sessions.resolve(token)
        if resolved is not None:
            return Principal(resolved.unlocked, token, resolved.id_hash)
    raise NotAuthorizedException("sign in first", headers=headers)
