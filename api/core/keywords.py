"""Email keywords (RFC 8621 4.1.1): validation, and the stored bits-plus-text form both ways."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from api.core.errors import InvalidEmailError
from api.store.keyword_bits import KEYWORD_BITS, join_custom, split_custom

__all__ = ["Keywords", "check_keyword", "keywords_from_stored", "keywords_to_stored"]

# RFC 8621 4.1.1 (the IMAP flag-keyword ABNF, RFC 3501 9): no specials, no space.
_FORBIDDEN = frozenset('(){]%*"\\')
MAX_KEYWORD_LENGTH = 255

Keywords = frozenset[str]


def check_keyword(keyword: str) -> str:
    """The keyword in its stored (lowercase) form, or InvalidEmailError naming `keywords`."""
    if not 1 <= len(keyword) <= MAX_KEYWORD_LENGTH or any(
        not 0x21 <= ord(ch) <= 0x7E or ch in _FORBIDDEN for ch in keyword
    ):
        raise InvalidEmailError(f"{keyword[:40]!r} is not a valid keyword", ["keywords"])
    return keyword.lower()


def keywords_to_stored(keywords: Iterable[str]) -> tuple[int, str]:
    """(bits, custom text) for a set of already checked, lowercase keywords."""
    flags = 0
    custom: set[str] = set()
    for keyword in keywords:
        bit = KEYWORD_BITS.get(keyword)
        if bit is None:
            custom.add(keyword)
        else:
            flags |= bit
    return flags, join_custom(custom)


@lru_cache(maxsize=4096)
def keywords_from_stored(flags: int, custom: str) -> tuple[str, ...]:
    """The sorted keywords; cached, since a mailbox has few distinct combinations and
    a flag listing of 100,000 messages asks for each."""
    known = {name for name, bit in KEYWORD_BITS.items() if flags & bit}
    return tuple(sorted(known.union(split_custom(custom))))
