"""CAPABILITY, LOGIN and AUTHENTICATE PLAIN (RFC 9051 6.1.1, 6.2.2, 6.2.3; RFC 4616 PLAIN,
RFC 4959 SASL-IR): credentials only over TLS, app passwords unlock the account's keys."""

from __future__ import annotations

import base64
import binascii

from api.core.errors import SealboxError
from api.jmap.local import LocalJmapCaller
from compat.imap.context import Context, Reply
from compat.imap.errors import ImapError, from_domain
from compat.imap.gateway import JmapGateway
from compat.imap.proto.commands import Authenticate, Login
from compat.imap.session import Authenticated
from crypto.secret_value import SecretStr

__all__ = ["capabilities", "handle_authenticate", "handle_capability", "handle_login"]

_ALWAYS = ("IMAP4rev1", "IMAP4rev2", "LITERAL+", "ID", "ENABLE", "SASL-IR")
_AFTER_LOGIN = (
    "IDLE",
    "NAMESPACE",
    "UIDPLUS",
    "MULTIAPPEND",
    "MOVE",
    "UNSELECT",
    "CHILDREN",
    "SPECIAL-USE",
    "LIST-EXTENDED",
    "LIST-STATUS",
    "CONDSTORE",
    "QRESYNC",
    "ESEARCH",
    "SORT",
    "SORT=DISPLAY",
    "THREAD=ORDEREDSUBJECT",
    "THREAD=REFERENCES",
    "STATUS=SIZE",
    "UTF8=ACCEPT",
)


def capabilities(context: Context, max_append: int) -> str:
    names = list(_ALWAYS)
    if not context.tls:
        names += ["STARTTLS", "LOGINDISABLED"]
    elif not isinstance(context.state, Authenticated):
        names.append("AUTH=PLAIN")
    else:
        names += _AFTER_LOGIN
    names.append(f"APPENDLIMIT={max_append}")
    return " ".join(names)


async def handle_capability(context: Context, max_append: int) -> Reply:
    await context.wire.untagged(b"CAPABILITY " + capabilities(context, max_append).encode())
    return Reply()


async def _sign_in(context: Context, username: str, password: str) -> Reply:
    if not context.tls:
        raise ImapError("sign-in needs TLS: use STARTTLS or port imaps", "PRIVACYREQUIRED")
    if isinstance(context.state, Authenticated):
        raise ImapError("already signed in", None, "BAD")
    services = context.services
    try:
        unlocked = await services.credentials.authenticate(
            username, SecretStr(password), context.client
        )
    except SealboxError as exc:
        raise from_domain(exc) from None
    gateway = JmapGateway(LocalJmapCaller(services, unlocked), unlocked.account_id)
    context.state = Authenticated(unlocked, gateway)
    limit = services.settings.imap_max_append_octets
    return Reply("signed in", "CAPABILITY " + capabilities(context, limit))


async def handle_login(context: Context, request: Login) -> Reply:
    return await _sign_in(context, request.username, request.password)


def _plain(response: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(response, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ImapError("bad base64", None, "BAD") from None
    parts = decoded.split("\0")
    if len(parts) != 3:
        raise ImapError("PLAIN wants authzid NUL authcid NUL password", None, "BAD")
    authzid, authcid, password = parts
    if authzid and authzid != authcid:
        raise ImapError("acting as another user is not allowed", "AUTHORIZATIONFAILED")
    return authcid, password


async def handle_authenticate(context: Context, request: Authenticate) -> Reply:
    if request.mechanism != "PLAIN":
        raise ImapError("only AUTHENTICATE PLAIN", "CANNOT")
    if not context.tls:
        raise ImapError("sign-in needs TLS: use STARTTLS or port imaps", "PRIVACYREQUIRED")
    response = request.initial
    if response is None:
        await context.wire.line(b"+ ")
        await context.wire.flush()
        response = (await context.read_line()).decode("ascii", "replace").strip()
    if response == "*":
        raise ImapError("authentication cancelled", None, "BAD")
    if response == "=":
        response = ""
    username, password = _plain(response)
    return await _sign_in(context, username, password)
