"""Email address and domain syntax for accounts (RFC 5321 4.1.2 / 4.5.3.1 limits)."""

from __future__ import annotations

import re

from api.core.errors import InvalidAddressError

__all__ = ["normalize_address", "normalize_domain"]

# Dot-atom local parts only: quoted local parts are legal but hostile to every client.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# Python's codec is IDNA 2003, which maps these to other letters ("straße" -> "strasse"),
# a different domain under IDNA 2008 (RFC 5891); refuse them rather than guess.
_IDNA_DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")


def normalize_domain(name: str) -> str:
    """Lower-case an ASCII (or IDNA-encodable) domain name, or raise InvalidAddressError."""
    candidate = name.strip().rstrip(".").lower()
    if _IDNA_DEVIATIONS.intersection(candidate):
        raise InvalidAddressError(
            f"{name!r} is ambiguous between IDNA versions; type its xn-- (ASCII) form"
        )
    try:
        candidate = candidate.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidAddressError(f"{name!r} is not a valid domain name") from exc
    labels = candidate.split(".")
    if len(candidate) > 253 or len(labels) < 2 or not all(_LABEL.match(x) for x in labels):
        raise InvalidAddressError(f"{name!r} is not a valid domain name")
    return candidate


def normalize_address(address: str) -> str:
    """Return `local@domain` with the domain lower-cased; the local part is kept as typed
    but compared case-insensitively by lower-casing it too, as nearly every host does."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or len(local) > 64 or not _LOCAL.match(local):
        raise InvalidAddressError(f"{address!r} is not a valid email address")
    return f"{local.lower()}@{normalize_domain(domain)}"
