"""What a valid mailbox tree is (RFC 8621 2, 2.5): names, roles, parents, no cycles."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

import msgspec

from api.core.errors import InvalidMailboxError, MailboxForbiddenError

__all__ = ["MAX_NAME_OCTETS", "ROLES", "Mailbox", "check_mailbox", "normalize_name"]

# IANA "IMAP Mailbox Name Attributes" roles usable in JMAP (RFC 8621 2; RFC 6154; RFC 8457).
ROLES = frozenset(
    {
        "all",
        "archive",
        "drafts",
        "flagged",
        "important",
        "inbox",
        "junk",
        "sent",
        "subscribed",
        "trash",
        "snoozed",
        "scheduled",
        "memos",
    }
)
# In UTF-8 octets, as JMAP's maxSizeMailboxName counts (RFC 8621 1.3.1).
MAX_NAME_OCTETS = 1024
# The IMAP hierarchy delimiter: a name holding it could not be shown to IMAP clients.
DELIMITER = "/"


class Mailbox(msgspec.Struct, frozen=True, kw_only=True):
    """A mailbox with its name decrypted, as the domain sees it."""

    id: str
    name: str
    parent_id: str | None
    role: str | None
    sort_order: int
    is_subscribed: bool
    uid_validity: int
    uid_next: int


def normalize_name(name: str) -> str:
    """NFC form, trimmed: what is stored and compared (RFC 5198 Net-Unicode)."""
    return unicodedata.normalize("NFC", name).strip()


def _check_name(name: str) -> None:
    if not name:
        raise InvalidMailboxError("a mailbox name must not be empty", ["name"])
    if len(name.encode("utf-8")) > MAX_NAME_OCTETS:
        raise InvalidMailboxError(
            f"a mailbox name has at most {MAX_NAME_OCTETS} bytes of UTF-8", ["name"]
        )
    if DELIMITER in name or any(unicodedata.category(ch) == "Cc" for ch in name):
        raise InvalidMailboxError(
            "a mailbox name must not contain '/' or control characters", ["name"]
        )


def _check_parent(candidate: Mailbox, tree: Mapping[str, Mailbox]) -> None:
    parent = candidate.parent_id
    seen = {candidate.id}
    while parent is not None:
        if parent not in tree:
            raise InvalidMailboxError("the parent mailbox does not exist", ["parentId"])
        if parent in seen:
            raise InvalidMailboxError("a mailbox cannot be inside itself", ["parentId"])
        seen.add(parent)
        parent = tree[parent].parent_id


def check_mailbox(candidate: Mailbox, tree: Mapping[str, Mailbox]) -> None:
    """Raise if `candidate` (new or changed) does not fit the account's other mailboxes."""
    _check_name(candidate.name)
    _check_parent(candidate, tree)
    others = [m for m in tree.values() if m.id != candidate.id]
    folded = candidate.name.casefold()
    if any(m.parent_id == candidate.parent_id and m.name.casefold() == folded for m in others):
        raise InvalidMailboxError("a sibling mailbox already has that name", ["name"])
    if candidate.role is not None:
        if candidate.role not in ROLES:
            raise InvalidMailboxError(f"unknown role {candidate.role!r}", ["role"])
        if any(m.role == candidate.role for m in others):
            raise InvalidMailboxError(f"another mailbox has the role {candidate.role}", ["role"])
    if candidate.role == "inbox" and candidate.parent_id is not None:
        # IMAP's INBOX is always top-level (RFC 9051 5.1).
        raise MailboxForbiddenError("the inbox must stay at the top level")
