"""APPEND and MULTIAPPEND (RFC 9051 6.3.12; RFC 3502; RFC 4315 APPENDUID): upload the
octets, then one Email/import of every message, kept all together or not at all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC

from compat.imap.context import Context, Reply
from compat.imap.errors import ImapError
from compat.imap.flags import keyword_of
from compat.imap.mailbox_tree import MailboxTree, read_name
from compat.imap.proto.commands import Append, AppendMessage
from compat.imap.proto.sequence import compress

__all__ = ["handle_append"]


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _received(message: AppendMessage) -> str | None:
    if message.date is None:
        return None
    return message.date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def handle_append(context: Context, request: Append) -> Reply:
    state = context.authenticated()
    # Everything that can be refused without storing is checked before the first upload.
    if any(not m.message for m in request.messages):
        raise ImapError("an empty message cannot be stored", "CANNOT")
    tree = MailboxTree(await state.jmap.mailboxes())
    entry = tree.find(read_name(request.mailbox, context.utf8))
    if entry is None:
        # 6.3.12: TRYCREATE tells the client it may CREATE the mailbox and retry.
        raise ImapError("no such mailbox", "TRYCREATE")
    imports = []
    for message in request.messages:
        # Uploading is the blob service's job (RFC 8620 6.1 has no method call for it);
        # an upload no email refers to is purged later, so a refused import leaves none.
        blob = await context.services.blobs.upload(
            state.account.account_id, _chunks(message.message)
        )
        keywords = [keyword_of(f) for f in message.flags]
        imports.append((blob.id, keywords, _received(message)))
    # 3502 6: if any message cannot be appended, none of them may be kept.
    created = await state.jmap.import_blobs(entry.id, imports)
    facts = await state.jmap.mailbox(entry.id, ["uidValidity"])
    # 4315 4: one APPENDUID, its uid-set in the order the messages came.
    uids = [uid for _, uid in created]
    uid_set = compress(uids) if uids == sorted(uids) else ",".join(map(str, uids))
    return Reply("appended", f"APPENDUID {facts['uidValidity']} {uid_set}")
