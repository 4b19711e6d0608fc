"""Which Sealbox mailbox each source folder lands in (RFC 6154 special-use, RFC 8621 2 roles).

INBOX is the Inbox; a folder marked \\Sent, \\Drafts, \\Trash, \\Junk or \\Archive is the
mailbox with that role, else a folder with a common name for one (Sent Items, Spam,
Deleted Messages...) at the top or right under INBOX. Every other folder keeps its
place in the tree, the source delimiter read as Sealbox's `/`. Virtual folders (\\All,
\\Flagged, \\Important: views of mail stored in other folders) are not copied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from compat.imap_import.responses import ListedFolder

__all__ = ["FolderPlan", "plan_folders"]

_ROLE_ATTRIBUTES = {
    "\\sent": "sent",
    "\\drafts": "drafts",
    "\\trash": "trash",
    "\\junk": "junk",
    "\\archive": "archive",
}
_ROLE_NAMES = {
    "sent": "sent",
    "sent items": "sent",
    "sent messages": "sent",
    "sent mail": "sent",
    "drafts": "drafts",
    "draft": "drafts",
    "trash": "trash",
    "deleted items": "trash",
    "deleted messages": "trash",
    "bin": "trash",
    "junk": "junk",
    "junk e-mail": "junk",
    "junk email": "junk",
    "spam": "junk",
    "archive": "archive",
    "archives": "archive",
}
_VIRTUAL = frozenset({"\\all", "\\flagged", "\\important"})
_NOT_SELECTABLE = frozenset({"\\noselect", "\\nonexistent"})


@dataclass(frozen=True, slots=True)
class FolderPlan:
    source: ListedFolder
    # The name split at the source delimiter; "/" inside a part becomes "_", since a
    # Sealbox mailbox name cannot hold the delimiter.
    parts: tuple[str, ...]
    role: str | None
    # False for \Noselect containers: made for the tree's sake, nothing to copy.
    copy: bool


def _parts(folder: ListedFolder) -> tuple[str, ...]:
    pieces = folder.name.split(folder.delimiter) if folder.delimiter else [folder.name]
    return tuple(p.replace("/", "_").strip() for p in pieces if p.strip())


def _name_role(parts: tuple[str, ...]) -> str | None:
    if len(parts) == 2 and parts[0].upper() == "INBOX":
        parts = parts[1:]
    return _ROLE_NAMES.get(parts[0].lower()) if len(parts) == 1 else None


def plan_folders(folders: Sequence[ListedFolder]) -> list[FolderPlan]:
    """One plan per folder worth creating, parents before children, in a stable order."""
    kept = [
        f for f in folders if not f.attributes & _VIRTUAL and "\\nonexistent" not in f.attributes
    ]
    kept.sort(key=lambda f: (len(_parts(f)), _parts(f)))
    claimed: dict[str, str] = {}
    for folder in kept:
        role = next((r for a, r in _ROLE_ATTRIBUTES.items() if a in folder.attributes), None)
        if role is not None:
            claimed.setdefault(role, folder.name)
    for folder in kept:
        role = _name_role(_parts(folder))
        if role is not None:
            claimed.setdefault(role, folder.name)
    by_name = {name: role for role, name in claimed.items()}
    plans = []
    for folder in kept:
        parts = _parts(folder)
        if not parts:
            continue
        role = "inbox" if parts == ("INBOX",) or folder.name.upper() == "INBOX" else None
        plans.append(
            FolderPlan(
                source=folder,
                parts=("INBOX",) if role == "inbox" else parts,
                role=role or by_name.get(folder.name),
                copy=not folder.attributes & _NOT_SELECTABLE,
            )
        )
    return plans
