"""The arguments of SORT and THREAD (RFC 5256 4 formal syntax; RFC 5957 SORT=DISPLAY):
`(criteria) charset search-keys` and `algorithm charset search-keys`."""

from __future__ import annotations

from compat.imap.proto.commands import Sort, SortCriterion, Thread
from compat.imap.proto.search_keys import charset_of, parse_search
from compat.imap.proto.tokens import Atom, ParseError, Token, TokenList

__all__ = ["SORT_KEYS", "THREAD_ALGORITHMS", "parse_sort", "parse_thread"]

SORT_KEYS = frozenset(
    {"ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"}
)
THREAD_ALGORITHMS = ("ORDEREDSUBJECT", "REFERENCES")


def _words(tokens: tuple[Token, ...]) -> list[str]:
    if not all(isinstance(t, Atom) for t in tokens):
        raise ParseError("sort criteria are atoms")
    return [t.text.upper() for t in tokens if isinstance(t, Atom)]


def _criteria(token: Token) -> tuple[SortCriterion, ...]:
    if not isinstance(token, TokenList) or not token.items:
        raise ParseError("SORT needs a parenthesized list of criteria")
    criteria, reverse = [], False
    for word in _words(token.items):
        if word == "REVERSE" and not reverse:
            reverse = True
            continue
        if word not in SORT_KEYS:
            raise ParseError(f"unknown sort criterion {word[:20]}")
        criteria.append(SortCriterion(word, reverse))
        reverse = False
    if reverse:
        raise ParseError("REVERSE must precede a sort criterion")
    return tuple(criteria)


def parse_sort(args: list[Token], uid: bool) -> Sort:
    if len(args) < 3:
        raise ParseError("SORT (criteria) charset search-keys")
    criteria = _criteria(args[0])
    return Sort(uid, criteria, parse_search(args[2:], charset_of(args[1])))


def parse_thread(args: list[Token], uid: bool) -> Thread:
    if len(args) < 3 or not isinstance(args[0], Atom):
        raise ParseError("THREAD algorithm charset search-keys")
    algorithm = args[0].text.upper()
    if algorithm not in THREAD_ALGORITHMS:
        raise ParseError(f"unknown threading algorithm {algorithm[:20]}")
    return Thread(uid, algorithm, parse_search(args[2:], charset_of(args[1])))
