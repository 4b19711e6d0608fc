"""Email/set update objects (RFC 8621 4.6 on RFC 8620 5.3): `keywords` and `mailboxIds`,
whole or one entry at a time by JSON Pointer path, turned into domain SetChanges.

Every other Email property is immutable once the email exists (RFC 8621 4.6), so naming
one is invalidProperties; a path that reaches into anything but one map entry is
invalidPatch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.core.email_batch import SetChange

__all__ = ["EmailUpdate", "PatchError", "parse_update"]

_WRITABLE = ("keywords", "mailboxIds")


class PatchError(Exception):
    """An update refused before it reaches the domain; `error` is its SetError."""

    def __init__(self, kind: str, description: str, properties: list[str]) -> None:
        super().__init__(description)
        self.error: dict[str, Any] = {
            "type": kind,
            "description": description,
            "properties": properties,
        }


@dataclass(frozen=True, slots=True)
class EmailUpdate:
    keywords: SetChange | None = None
    mailboxes: SetChange | None = None


def _unescape(segment: str) -> str:
    """RFC 6901 3: ~1 is "/", ~0 is "~" (in that order)."""
    return segment.replace("~1", "/").replace("~0", "~")


def _whole(root: str, value: Any, resolve: Callable[[str], str]) -> SetChange:
    if not isinstance(value, dict) or any(v is not True for v in value.values()):
        raise PatchError("invalidProperties", f"{root} maps each entry to true", [root])
    return SetChange(replace=frozenset(resolve(key) for key in value))


def _entries(root: str, patch: dict[str, Any], resolve: Callable[[str], str]) -> SetChange | None:
    paths = [path for path in patch if path.startswith(root + "/")]
    if root in patch:
        if paths:
            # RFC 8620 5.3: no pointer may be a prefix of another in one PatchObject.
            raise PatchError("invalidPatch", f"{root} is both replaced and patched", [root])
        return _whole(root, patch[root], resolve)
    if not paths:
        return None
    add: set[str] = set()
    remove: set[str] = set()
    for path in paths:
        segment = path[len(root) + 1 :]
        if not segment or "/" in segment:
            raise PatchError("invalidPatch", f"{path} does not name one entry of {root}", [path])
        key = resolve(_unescape(segment))
        value = patch[path]
        if value is True:
            add.add(key)
        elif value is None:
            remove.add(key)
        else:
            raise PatchError("invalidProperties", f"{path} must be true or null", [path])
    return SetChange(add=frozenset(add), remove=frozenset(remove))


def parse_update(patch: dict[str, Any], resolve_mailbox: Callable[[str], str]) -> EmailUpdate:
    """The domain change of one PatchObject; `resolve_mailbox` maps "#creationId"s."""
    immutable = sorted({p.partition("/")[0] for p in patch} - set(_WRITABLE))
    if immutable:
        raise PatchError(
            "invalidProperties", "only keywords and mailboxIds can be changed", immutable
        )
    return EmailUpdate(
        keywords=_entries("keywords", patch, lambda keyword: keyword),
        mailboxes=_entries("mailboxIds", patch, resolve_mailbox),
    )
