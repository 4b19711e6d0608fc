"""ENABLE, ID and NAMESPACE (RFC 9051 6.3.1, 6.3.10; RFC 2971 ID): facts about the session."""

from __future__ import annotations

from compat.imap.context import Context, Reply
from compat.imap.proto.commands import Enable, Id
from compat.imap.proto.render import nstring

__all__ = ["handle_enable", "handle_id", "handle_namespace"]

_ENABLEABLE = frozenset({"IMAP4REV2", "CONDSTORE", "QRESYNC", "UTF8=ACCEPT"})


async def handle_enable(context: Context, request: Enable) -> Reply:
    context.authenticated()
    newly = [c for c in request.capabilities if c in _ENABLEABLE and c not in context.enabled]
    context.enabled.update(newly)
    if "QRESYNC" in newly:
        # RFC 7162 3.2.3: QRESYNC implies CONDSTORE; ENABLED names only what was asked.
        context.enabled.add("CONDSTORE")
    spelled = ["IMAP4rev2" if c == "IMAP4REV2" else c for c in newly]
    await context.wire.untagged(("ENABLED " + " ".join(spelled)).rstrip().encode())
    return Reply()


async def handle_id(context: Context, request: Id) -> Reply:
    await context.wire.untagged(b'ID ("name" "Sealbox" "vendor" ' + nstring("Sealbox") + b")")
    return Reply()


async def handle_namespace(context: Context) -> Reply:
    context.authenticated()
    await context.wire.untagged(b'NAMESPACE (("" "/")) NIL NIL')
    return Reply()
