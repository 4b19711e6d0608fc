"""The parsed header forms and `header:{name}:as{Form}[:all]` (RFC 8621 4.1.2, 4.1.3).

asText decodes RFC 2047 through `email.headerregistry`, asDate uses `email.utils`, and the
address forms (module `addresses`) use the stdlib address parser. Written by hand: the
msg-id list (the stdlib parses one msg-id only), the RFC 2369 URL list and the
last-instance / `:all` selection, which are JMAP's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC
from email import utils
from typing import Literal

import msgspec

from api.mime.addresses import EmailAddress, EmailAddressGroup, as_addresses, as_grouped_addresses
from api.mime.fields import PARSE_LIMIT, RawHeader, decode_words, unfold

__all__ = [
    "FORMS",
    "EmailHeader",
    "HeaderForm",
    "HeaderValue",
    "as_date",
    "as_message_ids",
    "as_raw",
    "as_text",
    "as_urls",
    "form_allowed",
    "header_list",
    "header_value",
    "parse_form",
    "parse_header_property",
]

HeaderForm = Literal["Raw", "Text", "Addresses", "GroupedAddresses", "MessageIds", "Date", "URLs"]
FORMS: tuple[HeaderForm, ...] = (
    "Raw",
    "Text",
    "Addresses",
    "GroupedAddresses",
    "MessageIds",
    "Date",
    "URLs",
)
HeaderValue = str | list[str] | list[EmailAddress] | list[EmailAddressGroup] | None

# 4.1.2: each form may be asked of the fields named here, and of any field that neither
# RFC 5322 nor RFC 2369 defines; Raw may be asked of every field.
_FORM_FIELDS: dict[str, frozenset[str]] = {
    "Text": frozenset({"subject", "comments", "keywords", "list-id"}),
    "Addresses": frozenset(
        {"from", "sender", "reply-to", "to", "cc", "bcc"}
        | {f"resent-{name}" for name in ("from", "sender", "reply-to", "to", "cc", "bcc")}
    ),
    "MessageIds": frozenset({"message-id", "in-reply-to", "references", "resent-message-id"}),
    "Date": frozenset({"date", "resent-date"}),
    "URLs": frozenset(
        {
            "list-help",
            "list-unsubscribe",
            "list-subscribe",
            "list-post",
            "list-owner",
            "list-archive",
        }
    ),
}
_FORM_FIELDS["GroupedAddresses"] = _FORM_FIELDS["Addresses"]
_DEFINED_FIELDS = frozenset().union(*_FORM_FIELDS.values()) - {"list-id", "resent-reply-to"} | {
    "return-path",
    "received",
}
_COMMENT = re.compile(r"\([^()]*\)")
_MSG_ID = re.compile(r"<\s*([^<>\s]+)\s*>")
_URL = re.compile(r"<\s*([^<>]*?)\s*>")
_SPACE = re.compile(r"\s+")


class EmailHeader(msgspec.Struct, frozen=True, kw_only=True):
    """4.1.3 EmailHeader: a field name and its raw value, in message order."""

    name: str
    value: str


def header_list(headers: Sequence[RawHeader]) -> list[EmailHeader]:
    """4.1.3 `headers`: every field, in order, with its asRaw value."""
    return [EmailHeader(name=h.name, value=as_raw(h.raw)) for h in headers]


def as_raw(raw: bytes) -> str:
    """4.1.2.1 asRaw: the octets after the colon, not unfolded, invalid UTF-8 replaced."""
    return raw.decode("utf-8", "replace")


def as_text(raw: bytes) -> str:
    """4.1.2.2 asText: unfolded, RFC 2047 encoded-words decoded, trimmed."""
    text = unfold(raw)
    if "=?" in text:
        text = decode_words(text)
    return text.strip()


def as_message_ids(raw: bytes) -> list[str] | None:
    """4.1.2.5 asMessageIds: each msg-id without angle brackets; null when none parses.

    A lone bare id with an "@" (seen in the wild) is accepted; comments are removed first.
    """
    text = _COMMENT.sub(" ", unfold(raw)[:PARSE_LIMIT])
    ids = _MSG_ID.findall(text)
    if ids:
        return [str(value) for value in ids]
    bare = text.strip()
    if bare and "@" in bare and not any(c.isspace() or c in "<>" for c in bare):
        return [bare]
    return None


def as_date(raw: bytes) -> str | None:
    """4.1.2.6 asDate: the RFC 5322 date-time as an RFC 3339 UTC string, or null.

    `email.utils` knows the obsolete zone names (UT, GMT, EST ... PDT); an unknown zone or
    "-0000" is read as UTC.
    """
    text = _COMMENT.sub(" ", unfold(raw)[:PARSE_LIMIT]).strip()
    try:
        when = utils.parsedate_to_datetime(text)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except Exception:  # ValueError, TypeError, OverflowError, IndexError on junk
        return None


def as_urls(raw: bytes) -> list[str] | None:
    """4.1.2.7 asURLs: the RFC 2369 list of <URL>s without brackets; null when none."""
    text = _COMMENT.sub(" ", unfold(raw)[:PARSE_LIMIT])
    urls = [_SPACE.sub("", url) for url in _URL.findall(text)]
    return urls or None


def parse_form(raw: bytes, form: HeaderForm) -> HeaderValue:
    """One field value in one parsed form."""
    if form == "Raw":
        return as_raw(raw)
    if form == "Text":
        return as_text(raw)
    if form == "Addresses":
        return as_addresses(raw)
    if form == "GroupedAddresses":
        return as_grouped_addresses(raw)
    if form == "MessageIds":
        return as_message_ids(raw)
    if form == "Date":
        return as_date(raw)
    return as_urls(raw)


def header_value(
    message_headers: Sequence[RawHeader], name: str, form: HeaderForm, all_values: bool
) -> HeaderValue | list[HeaderValue]:
    """4.1.3 `header:{name}:as{form}[:all]`, the name matched case-insensitively.

    Without `:all` the last instance, or null when absent; with `:all` every instance in
    order, or [] when absent.
    """
    wanted = name.lower()
    found = [h.raw for h in message_headers if h.name.lower() == wanted]
    if all_values:
        return [parse_form(raw, form) for raw in found]
    return parse_form(found[-1], form) if found else None


def form_allowed(name: str, form: HeaderForm) -> bool:
    """Whether 4.1.2 permits this form for this field (else the request is invalid)."""
    field = name.lower()
    return form == "Raw" or field in _FORM_FIELDS[form] or field not in _DEFINED_FIELDS


def parse_header_property(prop: str) -> tuple[str, HeaderForm, bool] | None:
    """Split "header:{name}[:as{Form}][:all]" (4.1.3); None if it is not well formed.

    The form defaults to Raw; the field name is returned as given (it matches any case).
    """
    parts = prop.split(":")
    if len(parts) < 2 or parts[0] != "header" or not parts[1]:
        return None
    name, rest = parts[1], parts[2:]
    all_values = bool(rest) and rest[-1] == "all"
    if all_values:
        rest = rest[:-1]
    form: HeaderForm = "Raw"
    if rest:
        if len(rest) > 1 or not rest[0].startswith("as") or rest[0][2:] not in FORMS:
            return None
        form = FORMS[FORMS.index(rest[0][2:])]
    return name, form, all_values
