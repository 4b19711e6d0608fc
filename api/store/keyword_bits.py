"""How keywords (RFC 8621 4.1.1) are stored: well-known ones as bits, others as text.

Bits let unread counts and IMAP flag listings read one integer per message; the IANA
"IMAP and JMAP Keywords" registry's common entries and IMAP's \\Deleted get one each.
"""

from __future__ import annotations

__all__ = ["DELETED", "DRAFT", "FLAGGED", "KEYWORD_BITS", "SEEN", "join_custom", "split_custom"]

KEYWORD_BITS: dict[str, int] = {
    "$seen": 1 << 0,
    "$flagged": 1 << 1,
    "$answered": 1 << 2,
    "$draft": 1 << 3,
    "$forwarded": 1 << 4,
    "$junk": 1 << 5,
    "$notjunk": 1 << 6,
    "$phishing": 1 << 7,
    "$mdnsent": 1 << 8,
    # IMAP's \Deleted: marked for EXPUNGE, still in the mailbox (RFC 9051 2.3.2).
    "$deleted": 1 << 9,
}
SEEN = KEYWORD_BITS["$seen"]
DRAFT = KEYWORD_BITS["$draft"]
FLAGGED = KEYWORD_BITS["$flagged"]
DELETED = KEYWORD_BITS["$deleted"]


def join_custom(keywords: set[str] | frozenset[str]) -> str:
    """The stored form: sorted, space-delimited, a space at each end (" a b ")."""
    return " " + "".join(f"{k} " for k in sorted(keywords))


def split_custom(stored: str) -> list[str]:
    return stored.split()
