"""Reading the server's LIST, SELECT and FETCH responses (RFC 9051 7.3.1, 7.1, 7.5.2).

aioimaplib hands back untagged lines without `* ` and each literal as its own bytearray.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from compat.imap.proto.mailbox_names import decode_mutf7
from compat.imap.proto.tokens import ParseError

__all__ = [
    "ListedFolder",
    "MessageFacts",
    "ResponseError",
    "parse_fetch_facts",
    "parse_internal_date",
    "parse_list",
    "parse_message",
    "uid_validity",
]


class ResponseError(ValueError):
    """The source server answered something this reader cannot make sense of."""


@dataclass(frozen=True, slots=True)
class ListedFolder:
    name: str  # decoded from modified UTF-7, as the source spells it
    wire_name: str  # as sent on the wire, for SELECT
    delimiter: str | None
    attributes: frozenset[str]  # lowercase: "\\noselect", "\\sent", ...


@dataclass(frozen=True, slots=True)
class MessageFacts:
    uid: int
    flags: tuple[str, ...]
    internal_date: int  # Unix seconds
    size: int


_LIST = re.compile(rb'^(?:LIST )?\(([^)]*)\) (NIL|"(?:[^"\\]|\\.)*") (.*)$', re.IGNORECASE)
_QUOTED = re.compile(rb'^"((?:[^"\\]|\\.)*)"$')
_LITERAL = re.compile(rb"\{(\d+)\+?\}$")
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _unquote(raw: bytes) -> bytes:
    quoted = _QUOTED.match(raw)
    return re.sub(rb"\\(.)", rb"\1", quoted.group(1)) if quoted else raw


def _folder(attributes: bytes, delimiter: bytes, name: bytes) -> ListedFolder:
    wire = name.decode("utf-8", "replace")
    try:
        decoded = decode_mutf7(wire)
    except ParseError:
        decoded = wire  # a UTF-8 name from a server that sends them unasked
    return ListedFolder(
        name=decoded,
        wire_name=wire,
        delimiter=None if delimiter.upper() == b"NIL" else _unquote(delimiter).decode(),
        attributes=frozenset(a.lower() for a in attributes.decode().split()),
    )


def parse_list(lines: Sequence[bytes]) -> list[ListedFolder]:
    """The folders of a `LIST "" "*"` answer; a name sent as a literal is the next item."""
    folders: list[ListedFolder] = []
    items = list(lines)
    for at, line in enumerate(items):
        if isinstance(line, bytearray):
            continue
        match = _LIST.match(bytes(line))
        if match is None:
            continue
        attributes, delimiter, name = match.groups()
        if _LITERAL.search(name) and at + 1 < len(items):
            name = bytes(items[at + 1])
        folders.append(_folder(attributes, delimiter, _unquote(name)))
    return folders


def uid_validity(lines: Sequence[bytes]) -> int:
    for line in lines:
        found = re.search(rb"\[UIDVALIDITY (\d+)\]", bytes(line), re.IGNORECASE)
        if found:
            return int(found.group(1))
    raise ResponseError("the server sent no UIDVALIDITY for the folder")


def parse_internal_date(text: str) -> int:
    """RFC 9051 date-time `"17-Jul-1996 02:44:25 -0700"` as Unix seconds (no locale)."""
    match = re.fullmatch(
        r"\s*(\d{1,2})-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)", text
    )
    if match is None or match.group(2).lower() not in _MONTHS:
        raise ResponseError(f"unreadable INTERNALDATE {text[:40]!r}")
    day, month, year, hour, minute, second, sign, zh, zm = match.groups()
    offset = timedelta(hours=int(zh), minutes=int(zm)) * (-1 if sign == "-" else 1)
    moment = datetime(
        int(year),
        _MONTHS.index(month.lower()) + 1,
        int(day),
        int(hour),
        int(minute),
        int(second),
        tzinfo=timezone(offset),
    )
    return int(moment.astimezone(UTC).timestamp())


_FACTS = {
    "uid": re.compile(rb"\bUID (\d+)", re.IGNORECASE),
    "flags": re.compile(rb"\bFLAGS \(([^)]*)\)", re.IGNORECASE),
    "date": re.compile(rb'\bINTERNALDATE "([^"]+)"', re.IGNORECASE),
    "size": re.compile(rb"\bRFC822\.SIZE (\d+)", re.IGNORECASE),
}


def parse_fetch_facts(lines: Sequence[bytes]) -> list[MessageFacts]:
    """Each `n FETCH (UID FLAGS INTERNALDATE RFC822.SIZE)` line of an answer."""
    facts = []
    for line in lines:
        if isinstance(line, bytearray) or b" FETCH " not in bytes(line).upper():
            continue
        found = {key: pattern.search(bytes(line)) for key, pattern in _FACTS.items()}
        if any(match is None for match in found.values()):
            raise ResponseError(
                f"a FETCH answer lacks UID, FLAGS, INTERNALDATE or size: {line[:80]!r}"
            )
        uid, flags, date, size = (m.group(1) for m in found.values() if m is not None)
        facts.append(
            MessageFacts(
                uid=int(uid),
                flags=tuple(flags.decode("utf-8", "replace").split()),
                internal_date=parse_internal_date(date.decode()),
                size=int(size),
            )
        )
    return facts


def parse_message(lines: Sequence[bytes], uid: int) -> bytes | None:
    """The octets of `BODY[]` for `uid` in a FETCH answer; None when the server sent none."""
    items = list(lines)
    for at, line in enumerate(items[:-1]):
        if isinstance(line, bytearray):
            continue
        head = bytes(line)
        if (
            b"BODY[]" in head.upper()
            and _LITERAL.search(head)
            and isinstance(items[at + 1], bytearray)
        ):
            uid_match = _FACTS["uid"].search(
                head + bytes(items[at + 2]) if at + 2 < len(items) else head
            )
            if uid_match is None or int(uid_match.group(1)) == uid:
                return bytes(items[at + 1])
    return None
