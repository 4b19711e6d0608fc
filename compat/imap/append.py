"""APPEND (RFC 9051 6.3.12; RFC 4315 APPENDUID): upload the octets, then Email/import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC

from compat.imap.context import Context, Reply
from compat.imap.errors import ImapError
from compat.imap.flags import keyword_of
from compat.imap.mailbox_tree import MailboxTree, read_name
from compat.imap.proto.commands import Append

__all__ = ["handle_append"]


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def handle_append(context: Context, request: Append) -> Reply:
    state = context.authenticated()
    if not request.message:
        raise ImapError("an empty message cannot be stored", "CANNOT")
    tree = MailboxTree(await state.jmap.mailboxes())
    entry = tree.find(read_name(request.mailbox, context.utf8))
    if entry is None:
        # 6.3.12: TRYCREATE tells the client it may CREATE the mailbox and retry.
        raise ImapError("no such mailbox", "TRYCREATE")
    keywords = [keyword_of(f) for f in request.flags]
    received = None
    if request.date is not None:
        received = request.date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # Uploading is the blob service's job (RFC 8620 6.1 has no method call for it);
    # the import that makes it an email is a JMAP call like any other.
    blob = await context.services.blobs.upload(state.account.account_id, _chunks(request.message))
    _, uid = await state.jmap.import_blob(blob.id, entry.id, keywords, received)
    facts = await state.jmap.mailbox(entry.id, ["uidValidity"])
    return Reply("appended", f"APPENDUID {facts['uidValidity']} {uid}")
