"""POP3's only way into the mail: JMAP method calls on the in-process caller (RFC 8620 3.3).

Three requests make a whole session: the mailbox roles and the Inbox snapshot at sign-in,
and at QUIT the marked messages' mailboxes and one Email/set (RFC 8621 4.6) that takes
them out of the Inbox. A method error or a SetError becomes a Pop3Error through
compat/pop3/errors.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.jmap.capabilities import CORE, MAIL
from api.jmap.dispatcher import Call
from api.jmap.local import LocalJmapCaller
from compat.pop3.errors import Pop3Error, from_jmap
from compat.pop3.maildrop import Message

__all__ = ["Pop3Gateway"]

_USING = (CORE, MAIL)


class Pop3Gateway:
    def __init__(self, caller: LocalJmapCaller, account_id: str) -> None:
        self._caller = caller
        self.account_id = account_id

    async def call(self, *calls: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
        invocations: list[Call] = [
            (name, {"accountId": self.account_id, **args}, str(i))
            for i, (name, args) in enumerate(calls)
        ]
        bodies = []
        for name, body, _ in await self._caller.call(invocations, _USING):
            if name == "error":
                raise from_jmap(str(body.get("type")), body.get("description"))
            bodies.append(dict(body))
        return bodies

    async def mailbox_roles(self) -> dict[str, str]:
        """Role -> mailbox id, for the mailboxes that have a role."""
        [got] = await self.call(("Mailbox/get", {"ids": None, "properties": ["role"]}))
        return {str(m["role"]): str(m["id"]) for m in got["list"] if m.get("role")}

    async def snapshot(self, inbox_id: str) -> list[Message]:
        """The Inbox oldest first (receivedAt, then the IMAP UID there: arrival order)."""
        _, got = await self.call(
            (
                "Email/query",
                {
                    "filter": {"inMailbox": inbox_id},
                    "sort": [{"property": "receivedAt", "isAscending": True}],
                },
            ),
            (
                "Email/get",
                {
                    "#ids": {"resultOf": "0", "name": "Email/query", "path": "/ids"},
                    "properties": ["blobId", "size", "receivedAt", "imapUids"],
                },
            ),
        )
        rows = sorted(
            (
                str(e["receivedAt"]),
                int(e["imapUids"].get(inbox_id, 0)),
                Message(email_id=str(e["id"]), blob_id=str(e["blobId"]), size=int(e["size"])),
            )
            for e in got["list"]
        )
        return [message for _, _, message in rows]

    async def remove_from_inbox(
        self, email_ids: Sequence[str], inbox_id: str, trash_id: str | None
    ) -> Pop3Error | None:
        """UPDATE (RFC 1939 6): each marked message leaves the Inbox. One that is in other
        mailboxes too just leaves the Inbox; otherwise it moves to Trash, or, without a
        trash_id, is destroyed (and kept 30 days like any deletion). One that another
        client already took out of the Inbox is left alone. The first failure, if any."""
        if not email_ids:
            return None
        wanted = {"ids": list(email_ids), "properties": ["mailboxIds"]}
        [got] = await self.call(("Email/get", wanted))
        update: dict[str, Any] = {}
        destroy: list[str] = []
        for email in got["list"]:
            mailboxes = set(email["mailboxIds"])
            if inbox_id not in mailboxes:
                continue
            patch: dict[str, Any] = {f"mailboxIds/{inbox_id}": None}
            if mailboxes - {inbox_id}:
                update[email["id"]] = patch
            elif trash_id is not None:
                update[email["id"]] = {**patch, f"mailboxIds/{trash_id}": True}
            else:
                destroy.append(email["id"])
        if not update and not destroy:
            return None
        [done] = await self.call(
            ("Email/set", {"update": update or None, "destroy": destroy or None})
        )
        for key in ("notUpdated", "notDestroyed"):
            for error in (done.get(key) or {}).values():
                return from_jmap(str(error.get("type")), error.get("description"))
        return None
