"""IMAP's only way into the mail: JMAP method calls on the in-process caller (RFC 8620 3.3).

Each helper is one request of one or more calls; a method error or a SetError becomes an
ImapError through the one table in compat/imap/errors.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from api.jmap.capabilities import CORE, IMAP, MAIL
from api.jmap.dispatcher import Call
from api.jmap.local import LocalJmapCaller
from compat.imap.errors import ImapError, from_jmap

__all__ = ["JmapGateway", "ListingRow", "MailboxListing"]

_USING = (CORE, MAIL, IMAP)
# (uid, email id, keywords, modseq): one member of a mailbox as IMAP numbers it.
ListingRow = tuple[int, str, frozenset[str], int]


@dataclass(frozen=True)
class MailboxListing:
    """Members sorted by uid, as parallel columns (never changed once made)."""

    uid_validity: int
    uid_next: int
    highest_modseq: int
    uids: Sequence[int]
    ids: Sequence[str]
    keywords: Sequence[frozenset[str]]
    modseqs: Sequence[int]
    # A listing since a modseq: emails changed since then that left the mailbox, and the
    # number of members now (a check that applying the difference added up).
    removed: frozenset[str]
    total: int
    # The last modseq at which a message left the mailbox (QRESYNC, RFC 7162 3.2.5.2).
    expunged_modseq: int = 0

    @property
    def rows(self) -> list[ListingRow]:
        return list(zip(self.uids, self.ids, self.keywords, self.modseqs, strict=True))


def _checked(responses: list[tuple[str, Any, str]]) -> list[dict[str, Any]]:
    bodies = []
    for name, body, _ in responses:
        if name == "error":
            raise from_jmap(str(body.get("type")), body.get("description"))
        bodies.append(dict(body))
    return bodies


def set_failure(body: dict[str, Any]) -> ImapError | None:
    """The first SetError of a /set answer, as IMAP sees it; None when all succeeded."""
    for key in ("notCreated", "notUpdated", "notDestroyed"):
        for error in (body.get(key) or {}).values():
            return from_jmap(str(error.get("type")), error.get("description"))
    return None


class JmapGateway:
    def __init__(self, caller: LocalJmapCaller, account_id: str) -> None:
        self._caller = caller
        self.account_id = account_id

    async def call(self, *calls: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
        invocations: list[Call] = [
            (name, {"accountId": self.account_id, **args}, str(i))
            for i, (name, args) in enumerate(calls)
        ]
        return _checked(await self._caller.call(invocations, _USING))

    async def mailboxes(self, properties: Sequence[str] | None = None) -> list[dict[str, Any]]:
        wanted = list(properties or ("name", "parentId", "role", "isSubscribed"))
        [got] = await self.call(("Mailbox/get", {"ids": None, "properties": wanted}))
        return list(got["list"])

    async def mailbox(self, mailbox_id: str, properties: Sequence[str]) -> dict[str, Any]:
        [got] = await self.call(("Mailbox/get", {"ids": [mailbox_id], "properties": properties}))
        if not got["list"]:
            raise ImapError("no such mailbox", "NONEXISTENT")
        return dict(got["list"][0])

    async def listing(self, mailbox_id: str, since: int | None = None) -> MailboxListing:
        """The mailbox as IMAP numbers it (Mailbox/imapListing): every member, or with
        `since` those changed after that modseq."""
        arguments: dict[str, Any] = {"mailboxId": mailbox_id}
        if since is not None:
            arguments["sinceModseq"] = since
        [got] = await self.call(("Mailbox/imapListing", arguments))
        # One frozenset per distinct keyword set, shared by its members.
        sets = [frozenset(keywords) for keywords in got["keywordSets"]]
        return MailboxListing(
            uid_validity=int(got["uidValidity"]),
            uid_next=int(got["uidNext"]),
            highest_modseq=int(got["highestModseq"]),
            uids=got["uids"],
            ids=got["emailIds"],
            keywords=list(map(sets.__getitem__, got["keywords"])),
            modseqs=got["modseqs"],
            removed=frozenset(got.get("removed") or ()),
            total=int(got["total"]),
            expunged_modseq=int(got["expungedModseq"]),
        )

    async def get(self, ids: Sequence[str], properties: Sequence[str]) -> list[dict[str, Any]]:
        [got] = await self.call(("Email/get", {"ids": list(ids), "properties": list(properties)}))
        return list(got["list"])

    async def query_ids(self, condition: dict[str, Any]) -> set[str]:
        [got] = await self.call(("Email/query", {"filter": condition}))
        return set(got["ids"])

    async def set_emails(self, **arguments: Any) -> dict[str, Any]:
        [got] = await self.call(("Email/set", arguments))
        return got

    async def set_mailboxes(self, **arguments: Any) -> dict[str, Any]:
        [got] = await self.call(("Mailbox/set", arguments))
        failure = set_failure(got)
        if failure is not None:
            raise failure
        return got

    async def import_blob(
        self, blob_id: str, mailbox_id: str, keywords: Sequence[str], received_at: str | None
    ) -> tuple[str, int]:
        """Email/import of an uploaded message; its id and its UID in the mailbox."""
        [imported] = await self.import_blobs(mailbox_id, [(blob_id, keywords, received_at)])
        return imported

    async def import_blobs(
        self, mailbox_id: str, messages: Sequence[tuple[str, Sequence[str], str | None]]
    ) -> list[tuple[str, int]]:
        """One Email/import of uploaded messages (blob id, keywords, receivedAt), all or
        none: Email/import creates each on its own (RFC 8621 4.8), so when one fails the
        others are destroyed again before the failure is raised. Ids and UIDs, in order."""
        emails: dict[str, dict[str, Any]] = {}
        for number, (blob_id, keywords, received_at) in enumerate(messages):
            email: dict[str, Any] = {
                "blobId": blob_id,
                "mailboxIds": {mailbox_id: True},
                "keywords": dict.fromkeys(keywords, True),
            }
            if received_at is not None:
                email["receivedAt"] = received_at
            emails[f"m{number}"] = email
        [imported] = await self.call(("Email/import", {"emails": emails}))
        created = {key: str(value["id"]) for key, value in (imported["created"] or {}).items()}
        failure = set_failure(imported)
        if failure is not None:
            if created:
                await self.set_emails(destroy=list(created.values()))
            raise failure
        ids = [created[key] for key in emails]
        uids = {e["id"]: int(e["imapUids"][mailbox_id]) for e in await self.get(ids, ["imapUids"])}
        return [(email_id, uids[email_id]) for email_id in ids]
