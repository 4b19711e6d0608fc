"""The asAddresses and asGroupedAddresses header forms (RFC 8621 4.1.2.3, 4.1.2.4).

The stdlib address parser (`email.headerregistry.AddressHeader`) does the RFC 5322 3.4
grammar, quoted-strings and RFC 2047 in display names. Written by hand: a comment after a
bare addr-spec used as the name (4.1.2.3 says SHOULD, the stdlib drops comments), the
merging of consecutive ungrouped mailboxes into one null-named group (4.1.2.4), and a
fallback to `email.utils.getaddresses` when the strict parser gives up.
"""

from __future__ import annotations

import re
from email import utils
from email.headerregistry import Address, Group
from email.policy import default as _default_policy

import msgspec

from api.mime.fields import clean_text, unfold

__all__ = ["EmailAddress", "EmailAddressGroup", "as_addresses", "as_grouped_addresses"]


# The stdlib address parser is quadratic on some hostile values ('"' repeated: 0.12 s at
# this length); a longer list is parsed as its first ADDRESS_LIMIT characters.
ADDRESS_LIMIT = 4096

# RFC 5322 3.2.3 atext, dot-atom local part and domain; a display name of plain words.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATOM}(?:\.{_ATOM})*"
_WORDS = r"[A-Za-z0-9]+(?:[ \t]+[A-Za-z0-9]+)*"
_SIMPLE_MAILBOX = re.compile(rf"[ \t]*(?:({_WORDS})[ \t]*<)?({_DOT_ATOM}@{_DOT_ATOM})(?(1)>)[ \t]*")


class EmailAddress(msgspec.Struct, frozen=True, kw_only=True):
    """4.1.2.3 EmailAddress: display name (or null) and addr-spec."""

    name: str | None
    email: str


class EmailAddressGroup(msgspec.Struct, frozen=True, kw_only=True):
    """4.1.2.4 EmailAddressGroup: a group's display name (null if ungrouped) and members."""

    name: str | None
    addresses: list[EmailAddress]


def as_addresses(raw: bytes) -> list[EmailAddress]:
    """4.1.2.3: every mailbox in order, groups flattened."""
    return [address for group in as_grouped_addresses(raw) for address in group.addresses]


def as_grouped_addresses(raw: bytes) -> list[EmailAddressGroup]:
    """4.1.2.4: groups in order; runs of mailboxes outside a group share a null-named group."""
    text = unfold(raw)[:ADDRESS_LIMIT]
    groups = _parse_groups(text)
    merged: list[EmailAddressGroup] = []
    for name, addresses in groups:
        if name is None and merged and merged[-1].name is None:
            merged[-1].addresses.extend(addresses)
        else:
            merged.append(EmailAddressGroup(name=name, addresses=list(addresses)))
    return merged


def _parse_groups(text: str) -> list[tuple[str | None, list[EmailAddress]]]:
    simple = _simple_mailboxes(text)
    if simple is not None:
        return simple
    try:
        header = _default_policy.header_factory("to", text)
        parsed: tuple[Group, ...] = header.groups
        groups = [
            (_name(group.display_name), [_address(a, text) for a in group.addresses])
            for group in parsed
        ]
    except Exception:  # the strict parser raises on some hostile input; be lenient instead
        groups = []
    if groups or not text.strip():
        return groups
    try:
        pairs = utils.getaddresses([text])
    except Exception:  # RecursionError on deeply nested comments, among others
        return []
    return [
        (None, [EmailAddress(name=_name(name), email=clean_text(email))])
        for name, email in pairs
        if email
    ]


def _simple_mailboxes(text: str) -> list[tuple[str | None, list[EmailAddress]]] | None:
    """The stdlib parser's answer, without it, for the common plain forms: a list of
    `local@domain` or `Name Words <local@domain>` (ASCII atoms only); None otherwise."""
    if not text.isascii() or "=?" in text:  # RFC 2047 words: the stdlib decodes them
        return None
    found: list[tuple[str | None, list[EmailAddress]]] = []
    for piece in text.split(","):
        match = _SIMPLE_MAILBOX.fullmatch(piece)
        if match is None:
            return None
        words, email = match.group(1, 2)
        found.append((None, [EmailAddress(name=_name(words), email=email)]))
    return found


def _address(address: Address, text: str) -> EmailAddress:
    email = clean_text(address.addr_spec)
    name = _name(address.display_name)
    if name is None and email:
        name = _trailing_comment(email, text)
    return EmailAddress(name=name, email=email)


def _name(value: str | None) -> str | None:
    if not value:
        return None
    name = " ".join(clean_text(value).split())
    return name or None


def _trailing_comment(email: str, text: str) -> str | None:
    found = re.search(re.escape(email) + r"\s*\(([^()]*)\)", text)
    return _name(found.group(1)) if found else None
