"""What SORT and THREAD compare, read once per matched message (RFC 5256 2.2, 3;
RFC 5957 2): sent and arrival times, sizes, the base subject and first addresses, each
folded by the default comparator i;ascii-casemap (RFC 4790 9.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from compat.imap.base_subject import base_subject

__all__ = ["Sortable", "casemap", "sort_properties"]

_NEEDS = {
    "ARRIVAL": ("receivedAt",),
    "DATE": ("sentAt", "receivedAt"),
    "SIZE": ("size",),
    "SUBJECT": ("subject",),
    "CC": ("cc",),
    "FROM": ("from",),
    "TO": ("to",),
    "DISPLAYFROM": ("from",),
    "DISPLAYTO": ("to",),
}


def sort_properties(criteria: list[str]) -> tuple[str, ...]:
    """The Email/get properties these SORT criteria compare."""
    return tuple(dict.fromkeys(p for criterion in criteria for p in _NEEDS[criterion]))


def casemap(text: str) -> bytes:
    """i;ascii-casemap: octets compared with a-z folded to A-Z and nothing else folded."""
    return text.encode("utf-8").upper()


def _seconds(stamp: str | None) -> float | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _first(addresses: list[dict[str, Any]] | None) -> dict[str, Any]:
    return addresses[0] if addresses else {}


@dataclass(frozen=True)
class Sortable:
    """One matched message: its number in the answer (UID or sequence), its sequence
    number (the last tie-breaker of every sort) and its Email/get properties."""

    number: int
    seq: int
    email: dict[str, Any]

    @cached_property
    def arrival(self) -> float:
        return _seconds(self.email.get("receivedAt")) or 0.0

    @cached_property
    def sent(self) -> float:
        """2.2: the Date header in UTC, or the internal date when it is missing or bad."""
        sent = _seconds(self.email.get("sentAt"))
        return self.arrival if sent is None else sent

    @cached_property
    def subject(self) -> tuple[str, bool]:
        """(base subject, reply or forward)."""
        return base_subject(self.email.get("subject"))

    @cached_property
    def subject_key(self) -> bytes:
        return casemap(self.subject[0])

    def mailbox_key(self, field: str) -> bytes:
        """CC, FROM, TO: the addr-mailbox (local part) of the first address."""
        address = str(_first(self.email.get(field)).get("email") or "")
        return casemap(address.rpartition("@")[0] if "@" in address else address)

    def display_key(self, field: str) -> bytes:
        """DISPLAYFROM, DISPLAYTO: the first address's display name, else its address."""
        first = _first(self.email.get(field))
        return casemap(str(first.get("name") or first.get("email") or ""))

    def key(self, criterion: str) -> float | int | bytes:
        match criterion:
            case "ARRIVAL":
                return self.arrival
            case "DATE":
                return self.sent
            case "SIZE":
                return int(self.email.get("size") or 0)
            case "SUBJECT":
                return self.subject_key
            case "CC" | "FROM" | "TO":
                return self.mailbox_key(criterion.lower())
            case "DISPLAYFROM" | "DISPLAYTO":
                return self.display_key(criterion[len("DISPLAY") :].lower())
        raise AssertionError(f"unknown sort criterion {criterion}")
