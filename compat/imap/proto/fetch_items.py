"""FETCH data items (RFC 9051 6.4.5, 9 fetch-att): macros, BODY[section]<partial>, BINARY."""

from __future__ import annotations

import re
from dataclasses import dataclass

from compat.imap.proto.tokens import Atom, ParseError, Token, TokenList

__all__ = ["BodySection", "FetchItem", "parse_fetch_items"]

_SIMPLE = frozenset(
    {
        "UID",
        "FLAGS",
        "INTERNALDATE",
        "RFC822.SIZE",
        "ENVELOPE",
        "BODYSTRUCTURE",
        "BODY",
        "RFC822",
        "RFC822.HEADER",
        "RFC822.TEXT",
        "MODSEQ",
    }
)
# 6.4.5: the macros, each only alone and never inside a list.
_MACROS = {
    "ALL": ("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"),
    "FAST": ("FLAGS", "INTERNALDATE", "RFC822.SIZE"),
    "FULL": ("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"),
}
_SECTION = re.compile(
    r"^(?P<name>BODY|BODY\.PEEK|BINARY|BINARY\.PEEK|BINARY\.SIZE)"
    r"\[(?P<section>[^\]]*)\](?:<(?P<start>\d{1,10})(?:\.(?P<length>\d{1,10}))?>)?$",
    re.IGNORECASE,
)
_PART = re.compile(r"^(?P<part>\d{1,5}(?:\.\d{1,5})*)?(?:^|\.|$)(?P<text>.*)$")
_TEXTS = frozenset({"", "HEADER", "TEXT", "MIME", "HEADER.FIELDS", "HEADER.FIELDS.NOT"})
_FIELD = re.compile(r"^[!-9;-~]+$")  # RFC 5322 ftext


@dataclass(frozen=True, slots=True)
class BodySection:
    """Which octets: a part path, then HEADER / TEXT / MIME / HEADER.FIELDS[.NOT] or all."""

    part: tuple[int, ...] = ()
    text: str = ""
    fields: tuple[str, ...] = ()
    start: int | None = None
    length: int | None = None

    def label(self) -> str:
        """The section as echoed in the response (9 section-spec; origin only on partials)."""
        pieces = [".".join(map(str, self.part))] if self.part else []
        if self.text:
            pieces.append(self.text)
        spec = ".".join(pieces)
        if self.fields:
            spec += " (" + " ".join(self.fields) + ")"
        return spec


@dataclass(frozen=True, slots=True)
class FetchItem:
    """One item: `name` is upper case (BODY.PEEK, BINARY...); `section` for bracketed ones."""

    name: str
    section: BodySection | None = None


def _section(name: str, inner: str, start: str | None, length: str | None) -> FetchItem:
    fields: tuple[str, ...] = ()
    spec = inner
    if " " in inner or "(" in inner:
        spec, _, rest = inner.partition(" ")
        rest = rest.strip()
        if not (rest.startswith("(") and rest.endswith(")")):
            raise ParseError("HEADER.FIELDS needs a list of field names")
        fields = tuple(f.upper() for f in rest[1:-1].split())
        if not fields or not all(_FIELD.match(f) for f in fields):
            raise ParseError("bad header field list")
    match = _PART.match(spec)
    if match is None:
        raise ParseError("bad section")
    part = tuple(int(p) for p in (match["part"] or "").split(".") if p)
    text = match["text"].upper()
    if part and any(p == 0 for p in part):
        raise ParseError("section parts count from 1")
    if text not in _TEXTS or (text == "MIME" and not part):
        raise ParseError(f"bad section text {text!r}")
    if bool(fields) != text.startswith("HEADER.FIELDS"):
        raise ParseError("HEADER.FIELDS goes with a field list, and only it")
    if name.startswith("BINARY") and text:
        raise ParseError("BINARY takes a part number only")
    if length is not None and int(length) == 0 and name.startswith("BINARY.SIZE"):
        raise ParseError("BINARY.SIZE takes no partial")
    section = BodySection(
        part=part,
        text=text,
        fields=fields,
        start=None if start is None else int(start),
        length=None if length is None else int(length),
    )
    return FetchItem(name.upper(), section)


def _item(token: Token) -> FetchItem:
    if not isinstance(token, Atom):
        raise ParseError("a fetch item is an atom")
    text = token.text
    upper = text.upper()
    if upper in _SIMPLE:
        return FetchItem(upper)
    if upper == "BINARY.SIZE":
        raise ParseError("BINARY.SIZE needs a section")
    match = _SECTION.match(text)
    if match is None:
        raise ParseError(f"unknown fetch item {text[:40]!r}")
    return _section(match["name"], match["section"], match["start"], match["length"])


def parse_fetch_items(token: Token) -> tuple[FetchItem, ...]:
    """A macro, one item, or a parenthesized list of items."""
    if isinstance(token, Atom) and token.text.upper() in _MACROS:
        return tuple(FetchItem(n) for n in _MACROS[token.text.upper()])
    if isinstance(token, TokenList):
        if not token.items:
            raise ParseError("empty fetch item list")
        return tuple(_item(t) for t in token.items)
    return (_item(token),)
