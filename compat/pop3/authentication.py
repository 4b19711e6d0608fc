"""CAPA, USER/PASS and AUTH PLAIN (RFC 2449 5, RFC 1939 7, RFC 5034 4 with RFC 4616
PLAIN): credentials only over TLS (RFC 2595 4), app passwords unlock the account's keys,
and a sign-in takes the maildrop: its lock and its snapshot."""

from __future__ import annotations

import base64
import binascii

from api.core.errors import SealboxError
from api.jmap.local import LocalJmapCaller
from compat.pop3.commands import Auth, Pass, User
from compat.pop3.context import Context, Reply
from compat.pop3.errors import Pop3Error, from_domain
from compat.pop3.gateway import Pop3Gateway
from compat.pop3.maildrop import Maildrop
from compat.pop3.session import Authorization, Transaction
from crypto.secret_value import SecretStr

__all__ = ["capabilities", "handle_auth", "handle_capa", "handle_pass", "handle_user"]

_ALWAYS = ("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING")
_NEEDS_TLS = "sign-in needs TLS: use STLS or port pop3s"


def capabilities(context: Context) -> list[str]:
    names = list(_ALWAYS)
    if isinstance(context.state, Authorization):
        # RFC 2595 4: no plaintext mechanism is offered before TLS.
        names += ["USER", "SASL PLAIN"] if context.tls else ["STLS"]
    names.append("IMPLEMENTATION Sealbox")
    return names


async def handle_capa(context: Context) -> Reply:
    body = "".join(f"{name}\r\n" for name in capabilities(context)) + ".\r\n"
    return Reply("capability list follows", body.encode())


async def _sign_in(context: Context, username: str, password: str) -> Reply:
    if not context.tls:
        raise Pop3Error(_NEEDS_TLS, "AUTH")
    context.authorization()
    services = context.services
    try:
        unlocked = await services.credentials.authenticate(
            username, SecretStr(password), context.client
        )
    except SealboxError as exc:
        raise from_domain(exc) from None
    if not context.locks.acquire(unlocked.account_id):
        raise Pop3Error("another POP3 session holds this maildrop", "IN-USE")
    try:
        gateway = Pop3Gateway(LocalJmapCaller(services, unlocked), unlocked.account_id)
        roles = await gateway.mailbox_roles()
        inbox_id = roles.get("inbox")
        if inbox_id is None:
            raise Pop3Error("this account has no Inbox", "SYS/PERM")
        messages = await gateway.snapshot(inbox_id)
    except BaseException:
        context.locks.release(unlocked.account_id)
        raise
    trash_id = roles.get("trash") if services.settings.pop3_delete == "trash" else None
    maildrop = Maildrop(messages)
    context.state = Transaction(unlocked, gateway, maildrop, inbox_id, trash_id)
    count, octets = maildrop.totals()
    return Reply(f"maildrop locked and ready, {count} messages ({octets} octets)")


async def handle_user(context: Context, request: User) -> Reply:
    state = context.authorization()
    if not context.tls:
        raise Pop3Error(_NEEDS_TLS, "AUTH")
    state.user = request.name
    return Reply("send PASS")


async def handle_pass(context: Context, request: Pass) -> Reply:
    state = context.authorization()
    user, state.user = state.user, None
    if user is None:
        raise Pop3Error("send USER first")
    return await _sign_in(context, user, request.password)


def _plain(response: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(response, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Pop3Error("bad base64") from None
    parts = decoded.split("\0")
    if len(parts) != 3:
        raise Pop3Error("PLAIN wants authzid NUL authcid NUL password")
    authzid, authcid, password = parts
    if authzid and authzid != authcid:
        raise Pop3Error("acting as another user is not allowed", "AUTH")
    return authcid, password


async def handle_auth(context: Context, request: Auth) -> Reply:
    context.authorization()
    if request.mechanism is None:
        # The mechanism listing many clients still ask for (RFC 1734's AUTH without args).
        return Reply("mechanisms follow", b"PLAIN\r\n.\r\n" if context.tls else b".\r\n")
    if not context.tls:
        raise Pop3Error(_NEEDS_TLS, "AUTH")
    if request.mechanism != "PLAIN":
        raise Pop3Error("only AUTH PLAIN")
    response = request.initial
    if response is None:
        response = (await context.challenge(b"+ ")).decode("ascii", "replace").strip()
    if response == "*":
        raise Pop3Error("authentication cancelled")
    if response == "=":
        response = ""
    username, password = _plain(response)
    return await _sign_in(context, username, password)
