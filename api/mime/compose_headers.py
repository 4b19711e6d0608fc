"""Header fields of an Email being created, from JMAP header properties (RFC 8621 4.6, 4.1.2).

The stdlib header classes (`email.headerregistry`) parse, validate and fold addresses,
dates and unstructured text, RFC 2047-encoding non-ASCII; each header is folded once here
so a value the stdlib cannot write is refused with the property that gave it. Written by
hand: the JMAP property forms, the refusal of CR/LF (header injection), and msg-id and
URL lists, which the stdlib would fold into encoded-words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from email import policy as _policies
from email.headerregistry import (
    Address,
    AddressHeader,
    BaseHeader,
    DateHeader,
    Group,
    UnstructuredHeader,
)
from typing import Any

import msgspec

from api.mime.headers import HeaderForm, form_allowed

__all__ = [
    "POLICY",
    "ComposeError",
    "HeaderSet",
    "check_text",
    "make_header",
    "parse_utc",
]

# CRLF on the wire; 8bit so that a message/rfc822 attachment keeps its octets. Text parts
# pick quoted-printable or base64 themselves (compose_body), so all else stays 7-bit.
POLICY = _policies.SMTP
_FIELD_NAME = re.compile(r"[!-9;-~]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_TOKEN_LIST_ITEM = re.compile(r"[!-;=?-~]+")  # printable ASCII without space, "<" and ">"
_FOLD_AT = 78

# What HeaderRegistry makes of a class: the parser mixed into BaseHeader. Built by form,
# not by field name, since header:X-Anything:asAddresses must parse as addresses too.
_Address: type[BaseHeader] = type("_Address", (AddressHeader, BaseHeader), {})
_Date: type[BaseHeader] = type("_Date", (DateHeader, BaseHeader), {})
_Text: type[BaseHeader] = type("_Text", (UnstructuredHeader, BaseHeader), {})


class _EmailAddress(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """4.1.2.3 EmailAddress as a client sends it; a missing name means none."""

    email: str
    name: str | None = None


class _EmailAddressGroup(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    addresses: list[_EmailAddress]
    name: str | None = None


_FORM_TYPES: dict[str, Any] = {
    "Raw": str,
    "Text": str,
    "Addresses": list[_EmailAddress],
    "GroupedAddresses": list[_EmailAddressGroup],
    "MessageIds": list[str],
    "Date": str,
    "URLs": list[str],
}


class ComposeError(ValueError):
    """A create object that cannot become a message; `properties` names the culprits."""

    def __init__(self, message: str, properties: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.properties = properties


class _RawHeader(str):
    """A value written exactly as given: the stdlib keeps objects with a `name` as they are."""

    name: str

    def __new__(cls, name: str, value: str) -> _RawHeader:
        self = super().__new__(cls, value)
        self.name = name
        return self

    def fold(self, *, policy: Any) -> str:
        return f"{self.name}:{self}{policy.linesep}"


def check_text(value: str, prop: str) -> str:
    """Refuse control characters (CR and LF above all: they would start a new header)."""
    if _CONTROL.search(value):
        raise ComposeError(f"{prop} must not contain CR, LF or other control characters", [prop])
    return value


def parse_utc(value: str, prop: str) -> datetime:
    """An RFC 3339 date-time with a zone (RFC 8620 1.4) as an aware datetime."""
    try:
        when = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise ComposeError(f"{prop} is not an RFC 3339 date-time", [prop]) from None
    if when.tzinfo is None:
        raise ComposeError(f"{prop} needs a time zone (use Z)", [prop])
    return when


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a decoded form value, to check them all for control characters."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, msgspec.Struct):
        for field in value.__struct_fields__:
            yield from _strings(getattr(value, field))


def _address(address: _EmailAddress) -> Address:
    return Address(display_name=address.name or "", addr_spec=address.email)


def _token_list(name: str, items: list[str], prop: str, *, comma: bool) -> _RawHeader:
    """msg-ids (space-separated) or URLs (comma-separated) in angle brackets, folded."""
    lines: list[str] = []
    line = ""
    for n, item in enumerate(items):
        if not _TOKEN_LIST_ITEM.fullmatch(item):
            raise ComposeError(f"{prop}: {item!r} is not a valid id or URL", [prop])
        piece = f"<{item}>" + ("," if comma and n < len(items) - 1 else "")
        if line and len(name) + len(line) + len(piece) + 2 > _FOLD_AT:
            lines.append(line)
            line = ""
        line += " " + piece
    return _RawHeader(name, POLICY.linesep.join([*lines, line]))


def _build(name: str, form: HeaderForm, value: Any, prop: str) -> BaseHeader | _RawHeader:
    if form == "Raw":
        if not value.isascii():
            raise ComposeError(f"{prop}: a Raw value must be ASCII; use asText", [prop])
        return _RawHeader(name, value)
    if form == "Text":
        return _Text(name, value)
    if form == "Addresses":
        return _Address(name, [_address(a) for a in value])
    if form == "GroupedAddresses":
        groups = [Group(g.name, [_address(a) for a in g.addresses]) for g in value]
        return _Address(name, groups)
    if form == "Date":
        return _Date(name, parse_utc(value, prop))
    return _token_list(name, value, prop, comma=form == "URLs")


def make_header(name: str, form: HeaderForm, value: Any, prop: str) -> BaseHeader | _RawHeader:
    """One header field from a JMAP value in `form`, checked and test-folded."""
    if not _FIELD_NAME.fullmatch(name):
        raise ComposeError(f"{prop}: {name!r} is not a header field name", [prop])
    if not form_allowed(name, form):
        raise ComposeError(f"{prop}: the {form} form is not allowed for {name}", [prop])
    try:
        decoded = msgspec.convert(value, _FORM_TYPES[form])
    except msgspec.ValidationError as exc:
        raise ComposeError(f"{prop}: {exc}", [prop]) from None
    for text in _strings(decoded):
        check_text(text, prop)
    try:
        header = _build(name, form, decoded, prop)
        header.fold(policy=POLICY).encode("ascii")
    except ComposeError:
        raise
    except Exception as exc:  # the stdlib's zoo: ValueError, HeaderDefect, UnicodeError
        raise ComposeError(f"{prop}: {exc}", [prop]) from None
    return header


class HeaderSet:
    """Header fields in order, each field name set by one property only (4.6)."""

    def __init__(self) -> None:
        self.fields: list[BaseHeader | _RawHeader] = []
        self._by: dict[str, str] = {}

    def names(self) -> set[str]:
        return set(self._by)

    def claim(self, name: str, prop: str) -> None:
        """Record that `prop` sets field `name`; a second property for it is an error."""
        earlier = self._by.setdefault(name.lower(), prop)
        if earlier != prop:
            raise ComposeError(f"{earlier} and {prop} both set {name}", [earlier, prop])

    def add(self, name: str, form: HeaderForm, value: Any, prop: str, all_values: bool) -> None:
        """Add a property's field(s); null adds none, `:all` takes a list of instances."""
        self.claim(name, prop)
        if value is None:
            return
        if all_values and not isinstance(value, list):
            raise ComposeError(f"{prop} takes a list of values", [prop])
        for item in value if all_values else [value]:
            if item is not None:
                self.fields.append(make_header(name, form, item, prop))
