"""The Sealbox side of an import: mailboxes by Mailbox/set, messages by Email/import.

Everything goes through the in-process JMAP caller (RFC 8620 3.3) like IMAP APPEND, so
every write moves the account's state and reaches push and IDLE. Uploading the octets is
the blob service's job, as it is for APPEND (RFC 8620 6.1 has no method for it).
"""

from __future__ import annotations

import email.parser
import email.policy
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime

from api.core.blobs import BlobService
from api.core.unlocked import UnlockedAccount
from compat.imap.errors import ImapError
from compat.imap.flags import keyword_of
from compat.imap.gateway import JmapGateway
from compat.imap_import.folders import FolderPlan

__all__ = ["ImportTarget", "keywords_of"]

_CHUNK = 1 << 20
_HEADER_END = re.compile(rb"\r?\n\r?\n")


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def keywords_of(flags: Iterable[str]) -> list[str]:
    """IMAP flags as JMAP keywords (RFC 8621 4.1.1); \\Recent and unknown system flags drop."""
    keywords = []
    for flag in flags:
        try:
            keywords.append(keyword_of(flag))
        except ImapError:
            continue
    return sorted(set(keywords))


def message_id(raw: bytes) -> str | None:
    """The Message-ID without angle brackets, read from the header section only."""
    end = _HEADER_END.search(raw)
    header = raw[: end.end()] if end else raw
    parsed = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(header)
    value = parsed.get("Message-ID")
    return str(value).strip().strip("<>").strip() if value else None


async def _chunks(raw: bytes) -> AsyncIterator[bytes]:
    view = memoryview(raw)
    for at in range(0, max(len(raw), 1), _CHUNK):
        yield bytes(view[at : at + _CHUNK])


class ImportTarget:
    def __init__(self, gateway: JmapGateway, blobs: BlobService, unlocked: UnlockedAccount) -> None:
        self._jmap = gateway
        self._blobs = blobs
        self._account_id = unlocked.account_id

    async def resolve(self, plans: Sequence[FolderPlan]) -> dict[str, str]:
        """Source folder name -> mailbox id, creating the mailboxes that are missing."""
        mailboxes = await self._jmap.mailboxes(["name", "parentId", "role"])
        by_role = {m["role"]: m["id"] for m in mailboxes if m.get("role")}
        children = {(m.get("parentId"), m["name"].casefold()): m["id"] for m in mailboxes}
        by_parts: dict[tuple[str, ...], str] = {}
        found: dict[str, str] = {}
        for plan in plans:
            if plan.role is not None:
                if plan.role not in by_role:
                    by_role[plan.role] = await self._create(plan.parts[-1], None, plan.role)
                mailbox_id = by_role[plan.role]
            else:
                mailbox_id = await self._walk(plan.parts, by_role, by_parts, children)
            by_parts[plan.parts] = mailbox_id
            found[plan.source.name] = mailbox_id
        return found

    async def _walk(
        self,
        parts: tuple[str, ...],
        by_role: dict[str, str],
        by_parts: dict[tuple[str, ...], str],
        children: dict[tuple[str | None, str], str],
    ) -> str:
        parent: str | None = None
        for depth, part in enumerate(parts):
            prefix = parts[: depth + 1]
            if prefix in by_parts:
                parent = by_parts[prefix]
            elif depth == 0 and part.upper() == "INBOX":
                parent = by_role["inbox"]
            elif (parent, part.casefold()) in children:
                parent = children[(parent, part.casefold())]
            else:
                created = await self._create(part, parent, None)
                children[(parent, part.casefold())] = created
                parent = created
        assert parent is not None
        return parent

    async def _create(self, name: str, parent: str | None, role: str | None) -> str:
        mailbox: dict[str, object] = {"name": name, "parentId": parent}
        if role is not None:
            mailbox["role"] = role
        got = await self._jmap.set_mailboxes(create={"m": mailbox})
        return str(got["created"]["m"]["id"])

    async def has_copy(self, mailbox_id: str, raw: bytes, received_at: int) -> bool:
        """Whether the mailbox holds this message already: same receivedAt (to the second),
        same size, same Message-ID. Plaintext columns do the first two cheaply."""
        candidates = await self._jmap.query_ids(
            {
                "inMailbox": mailbox_id,
                "after": _utc(received_at),
                "before": _utc(received_at + 1),
                "minSize": len(raw),
                "maxSize": len(raw) + 1,
            }
        )
        if not candidates:
            return False
        wanted = message_id(raw)
        for found in await self._jmap.get(sorted(candidates), ["messageId"]):
            ids = found.get("messageId") or []
            if (wanted is None and not ids) or wanted in ids:
                return True
        return False

    async def add(
        self, mailbox_id: str, raw: bytes, keywords: Sequence[str], received_at: int
    ) -> str:
        blob = await self._blobs.upload(self._account_id, _chunks(raw))
        email_id, _ = await self._jmap.import_blob(blob.id, mailbox_id, keywords, _utc(received_at))
        return email_id
