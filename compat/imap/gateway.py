"""IMAP's only way into the mail: JMAP method calls on the in-process caller (RFC 8620 3.3).

Each helper is one request of one or more calls; a method error or a SetError becomes an
ImapError through the one table in compat/imap/errors.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.jmap.capabilities import CORE, MAIL
from api.jmap.dispatcher import Call
from api.jmap.local import LocalJmapCaller
from compat.imap.errors import ImapError, from_jmap

__all__ = ["JmapGateway", "Listing"]

_USING = (CORE, MAIL)
# (uid, email id, keywords), sorted by uid: a mailbox as IMAP numbers it.
Listing = list[tuple[int, str, frozenset[str]]]


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

    async def listing(self, mailbox_id: str) -> tuple[Listing, str]:
        """Every message of a mailbox with its UID there and its keywords, in one request."""
        _, got = await self.call(
            ("Email/query", {"filter": {"inMailbox": mailbox_id}}),
            (
                "Email/get",
                {
                    "#ids": {"resultOf": "0", "name": "Email/query", "path": "/ids"},
                    "properties": ["imapUids", "keywords"],
                },
            ),
        )
        rows = [
            (int(e["imapUids"][mailbox_id]), str(e["id"]), frozenset(e["keywords"]))
            for e in got["list"]
            if mailbox_id in e["imapUids"]
        ]
        rows.sort()
        return rows, str(got["state"])

    async def get(self, ids: Sequence[str], properties: Sequence[str]) -> list[dict[str, Any]]:
        [got] = await self.call(("Email/get", {"ids": list(ids), "properties": list(properties)}))
        return list(got["list"])

    async def query_ids(self, condition: dict[str, Any]) -> set[str]:
        [got] = await self.call(("Email/query", {"filter": condition}))
        return set(got["ids"])

    async def email_state(self) -> str:
        [got] = await self.call(("Email/get", {"ids": [], "properties": ["id"]}))
        return str(got["state"])

    async def changes(self, since: str) -> tuple[set[str], str] | None:
        """Ids created, updated or destroyed since `since`, and the new state; None when the
        server cannot tell (the session then compares a fresh listing)."""
        touched: set[str] = set()
        state = since
        while True:
            try:
                [got] = await self.call(("Email/changes", {"sinceState": state}))
            except ImapError:
                return None
            touched.update(got["created"], got["updated"], got["destroyed"])
            state = str(got["newState"])
            if not got["hasMoreChanges"]:
                return touched, state

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
        email: dict[str, Any] = {
            "blobId": blob_id,
            "mailboxIds": {mailbox_id: True},
            "keywords": dict.fromkeys(keywords, True),
        }
        if received_at is not None:
            email["receivedAt"] = received_at
        [imported] = await self.call(("Email/import", {"emails": {"m": email}}))
        failure = set_failure(imported)
        if failure is not None:
            raise failure
        email_id = str(imported["created"]["m"]["id"])
        [created] = await self.get([email_id], ["imapUids"])
        return email_id, int(created["imapUids"][mailbox_id])
