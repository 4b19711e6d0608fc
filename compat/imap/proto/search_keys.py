"""SEARCH keys (RFC 9051 6.4.4, 9 search-key) as a small typed tree, evaluated elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from compat.imap.proto.sequence import SequenceSet, parse_sequence_set
from compat.imap.proto.tokens import Atom, ParseError, RefusedError, Str, Token, TokenList

__all__ = [
    "All",
    "And",
    "DateKey",
    "Flag",
    "HeaderKey",
    "Not",
    "Or",
    "SearchKey",
    "SeqKey",
    "SizeKey",
    "TextKey",
    "charset_of",
    "parse_date",
    "parse_search",
]


@dataclass(frozen=True, slots=True)
class All:
    pass


@dataclass(frozen=True, slots=True)
class Flag:
    """A keyword (IMAP flag, as written) that must be set (`present`) or not."""

    flag: str
    present: bool


@dataclass(frozen=True, slots=True)
class SeqKey:
    sequence: SequenceSet
    uid: bool


@dataclass(frozen=True, slots=True)
class DateKey:
    """BEFORE/ON/SINCE on the internal date, SENT* on the Date header (day granularity)."""

    op: str  # "before" | "on" | "since"
    day: date
    sent: bool


@dataclass(frozen=True, slots=True)
class SizeKey:
    larger: bool
    size: int


@dataclass(frozen=True, slots=True)
class HeaderKey:
    """FROM/TO/CC/BCC/SUBJECT or HEADER name value: a substring of a header."""

    header: str
    value: str


@dataclass(frozen=True, slots=True)
class TextKey:
    """TEXT and BODY: full-text search."""

    where: str
    value: str


@dataclass(frozen=True, slots=True)
class Not:
    key: SearchKey


@dataclass(frozen=True, slots=True)
class Or:
    left: SearchKey
    right: SearchKey


@dataclass(frozen=True, slots=True)
class And:
    keys: tuple[SearchKey, ...]


SearchKey = All | Flag | SeqKey | DateKey | SizeKey | HeaderKey | TextKey | Not | Or | And

_FLAG_KEYS = {
    "ANSWERED": ("\\Answered", True),
    "DELETED": ("\\Deleted", True),
    "DRAFT": ("\\Draft", True),
    "FLAGGED": ("\\Flagged", True),
    "SEEN": ("\\Seen", True),
    "UNANSWERED": ("\\Answered", False),
    "UNDELETED": ("\\Deleted", False),
    "UNDRAFT": ("\\Draft", False),
    "UNFLAGGED": ("\\Flagged", False),
    "UNSEEN": ("\\Seen", False),
    "NEW": ("\\Recent", False),  # no \Recent in rev2: NEW is UNSEEN, OLD and RECENT trivial
    "OLD": ("\\Recent", False),
}
_DATE_KEYS = {
    "BEFORE": ("before", False),
    "ON": ("on", False),
    "SINCE": ("since", False),
    "SENTBEFORE": ("before", True),
    "SENTON": ("on", True),
    "SENTSINCE": ("since", True),
}
_HEADERS = frozenset({"FROM", "TO", "CC", "BCC", "SUBJECT"})
MAX_DEPTH = 32


def parse_date(text: str) -> date:
    """9 date: `1-Feb-2026` or `01-Feb-2026`, possibly quoted."""
    try:
        return datetime.strptime(text, "%d-%b-%Y").date()
    except ValueError:
        raise ParseError(f"bad date {text[:30]!r}") from None


def _text(token: Token, charset: str) -> str:
    if isinstance(token, Atom):
        return token.text
    if isinstance(token, Str):
        try:
            return token.value.decode(charset)
        except (UnicodeDecodeError, LookupError):
            raise ParseError("search string not in the charset") from None
    raise ParseError("expected a string")


class _Keys:
    def __init__(self, tokens: list[Token], charset: str) -> None:
        self.tokens = tokens
        self.at = 0
        self.charset = charset

    def take(self) -> Token:
        if self.at >= len(self.tokens):
            raise ParseError("search key needs an argument")
        token = self.tokens[self.at]
        self.at += 1
        return token

    def string(self) -> str:
        return _text(self.take(), self.charset)

    def number(self) -> int:
        text = self.string()
        if not text.isdigit() or len(text) > 20:
            raise ParseError("expected a number")
        return int(text)

    def key(self, depth: int) -> SearchKey:
        if depth > MAX_DEPTH:
            raise ParseError("search keys nested too deep")
        token = self.take()
        if isinstance(token, TokenList):
            inner = _Keys(list(token.items), self.charset)
            keys = inner.all(depth + 1)
            return keys
        if not isinstance(token, Atom):
            raise ParseError("a search key is an atom")
        name = token.text.upper()
        if name == "ALL" or name == "RECENT":
            return All() if name == "ALL" else Not(All())
        if name in _FLAG_KEYS:
            flag, present = _FLAG_KEYS[name]
            if flag == "\\Recent":
                return Flag("\\Seen", False) if name == "NEW" else All()
            return Flag(flag, present)
        if name in ("KEYWORD", "UNKEYWORD"):
            return Flag(self.string(), name == "KEYWORD")
        if name in _DATE_KEYS:
            op, sent = _DATE_KEYS[name]
            return DateKey(op, parse_date(self.string()), sent)
        if name in ("LARGER", "SMALLER"):
            return SizeKey(name == "LARGER", self.number())
        if name in _HEADERS:
            return HeaderKey(name.lower(), self.string())
        if name == "HEADER":
            return HeaderKey(self.string().lower(), self.string())
        if name in ("TEXT", "BODY"):
            return TextKey(name.lower(), self.string())
        if name == "NOT":
            return Not(self.key(depth + 1))
        if name == "OR":
            return Or(self.key(depth + 1), self.key(depth + 1))
        if name == "UID":
            return SeqKey(parse_sequence_set(self.string()), uid=True)
        if name[:1].isdigit() or name[:1] == "*":
            return SeqKey(parse_sequence_set(token.text), uid=False)
        raise ParseError(f"unknown search key {token.text[:30]!r}")

    def all(self, depth: int) -> SearchKey:
        keys = []
        while self.at < len(self.tokens):
            keys.append(self.key(depth))
        if not keys:
            raise ParseError("empty search")
        return keys[0] if len(keys) == 1 else And(tuple(keys))


def charset_of(token: Token) -> str:
    """A search charset name; only UTF-8 and its subset US-ASCII are known (RFC 9051 6.4.4)."""
    charset = _text(token, "ascii").lower()
    if charset not in ("utf-8", "us-ascii", "utf8"):
        raise RefusedError("unsupported charset", "BADCHARSET (US-ASCII UTF-8)")
    return charset


def parse_search(tokens: list[Token], charset: str | None = None) -> SearchKey:
    """The keys after SEARCH [RETURN (...)] [CHARSET x], or after SORT/THREAD's charset
    when `charset` is given; all must hold (an implicit AND)."""
    if charset is None and len(tokens) >= 2 and _is_atom(tokens[0], "CHARSET"):
        charset = charset_of(tokens[1])
        tokens = tokens[2:]
    return _Keys(tokens, charset or "utf-8").all(0)


def _is_atom(token: Token, text: str) -> bool:
    return isinstance(token, Atom) and token.text.upper() == text
