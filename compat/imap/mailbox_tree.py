"""IMAP mailbox names over the JMAP tree (RFC 9051 5.1, 6.3.9): `Parent/Child`, INBOX, the
`/` delimiter, special-use attributes from roles (RFC 6154)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from compat.imap.errors import ImapError
from compat.imap.proto.mailbox_names import decode_mutf7, encode_mutf7
from compat.imap.proto.tokens import ParseError

__all__ = ["DELIMITER", "MailboxTree", "TreeEntry", "read_name", "wire_name"]

DELIMITER = "/"
_SPECIAL_USE = {
    "all": "\\All",
    "archive": "\\Archive",
    "drafts": "\\Drafts",
    "flagged": "\\Flagged",
    "important": "\\Important",
    "junk": "\\Junk",
    "sent": "\\Sent",
    "trash": "\\Trash",
}


@dataclass(frozen=True)
class TreeEntry:
    id: str
    path: str
    role: str | None
    subscribed: bool
    has_children: bool

    @property
    def special_use(self) -> str | None:
        return _SPECIAL_USE.get(self.role or "")


def wire_name(path: str, utf8: bool) -> str:
    return path if utf8 else encode_mutf7(path)


def read_name(name: str, utf8: bool) -> str:
    """A client's mailbox name as the tree spells it: INBOX in any case is the Inbox."""
    if not utf8:
        try:
            name = decode_mutf7(name)
        except ParseError as exc:
            raise ImapError(str(exc), None, "BAD") from None
    name = name.strip(DELIMITER)
    head, sep, rest = name.partition(DELIMITER)
    return "INBOX" + sep + rest if head.upper() == "INBOX" else name


class MailboxTree:
    def __init__(self, mailboxes: list[dict[str, Any]]) -> None:
        by_id = {m["id"]: m for m in mailboxes}
        parents = {m.get("parentId") for m in mailboxes}
        entries = []
        for mailbox in mailboxes:
            entries.append(
                TreeEntry(
                    id=mailbox["id"],
                    path=self._path(mailbox, by_id),
                    role=mailbox.get("role"),
                    subscribed=bool(mailbox.get("isSubscribed")),
                    has_children=mailbox["id"] in parents,
                )
            )
        entries.sort(key=lambda e: (e.path != "INBOX", e.path))
        self.entries = entries
        self._by_path = {e.path: e for e in entries}

    @staticmethod
    def _path(mailbox: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str:
        names: list[str] = []
        current: dict[str, Any] | None = mailbox
        while current is not None and len(names) < 64:
            names.append("INBOX" if current.get("role") == "inbox" else str(current["name"]))
            current = by_id.get(current.get("parentId") or "")
        return DELIMITER.join(reversed(names))

    def find(self, path: str) -> TreeEntry | None:
        return self._by_path.get(path)

    def require(self, path: str) -> TreeEntry:
        entry = self.find(path)
        if entry is None:
            raise ImapError("no such mailbox", "NONEXISTENT")
        return entry

    def matching(self, reference: str, pattern: str) -> list[TreeEntry]:
        """6.3.9: `*` matches anything, `%` anything but the delimiter."""
        full = reference + pattern
        regex = "".join(".*" if c == "*" else "[^/]*" if c == "%" else re.escape(c) for c in full)
        compiled = re.compile(regex + "$", re.IGNORECASE if full.upper().startswith("INBOX") else 0)
        return [e for e in self.entries if compiled.match(e.path)]
