"""IMAP flags <-> JMAP keywords (RFC 8621 4.1.1 and RFC 9051 2.3.2)."""

from __future__ import annotations

from collections.abc import Iterable

from compat.imap.errors import ImapError

__all__ = ["PERMANENT_FLAGS", "SYSTEM_FLAGS", "flags_of", "keyword_of"]

_SYSTEM = {
    "\\seen": "$seen",
    "\\flagged": "$flagged",
    "\\answered": "$answered",
    "\\draft": "$draft",
    "\\deleted": "$deleted",
}
_BACK = {keyword: "\\" + flag[1:].capitalize() for flag, keyword in _SYSTEM.items()}
SYSTEM_FLAGS = ("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft")
PERMANENT_FLAGS = (*SYSTEM_FLAGS, "\\*")
# RFC 8621 4.1.1 keyword characters: IMAP atom characters less the ones JMAP forbids.
_FORBIDDEN = frozenset('()[]{}%*"\\ ')


def keyword_of(flag: str) -> str:
    lowered = flag.lower()
    if lowered in _SYSTEM:
        return _SYSTEM[lowered]
    if lowered.startswith("\\") or not lowered or len(lowered) > 255:
        raise ImapError(f"flag {flag[:40]} cannot be stored", "CANNOT", "BAD")
    if any(c in _FORBIDDEN or not 0x21 <= ord(c) <= 0x7E for c in lowered):
        raise ImapError("flag has characters JMAP keywords cannot hold", "CANNOT", "BAD")
    return lowered


def flags_of(keywords: Iterable[str]) -> list[str]:
    return sorted(_BACK.get(k, k) for k in keywords)
