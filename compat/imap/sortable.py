"""What SORT and THREAD compare, read once per message (RFC 5256 2.2, 3; RFC 5957 2):
sent and arrival times, sizes, the base subject and first addresses, each folded by the
default comparator i;ascii-casemap (RFC 4790 9.2). A message's `Facts` never change (an
email is immutable but for its keywords and mailboxes), so they and the keys made from
them can be kept between commands (compat/imap/sort_facts.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from compat.imap.base_subject import base_subject

__all__ = ["Facts", "Sortable", "casemap", "sort_properties"]

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


class Facts:
    """One message's Email/get properties and the sort keys made from them, each made
    on first use and kept (plain slots: a sort of 16,000 reads each key many times)."""

    __slots__ = (
        "_addresses",
        "_arrival",
        "_sent",
        "_subject",
        "_subject_key",
        "_thread_ids",
        "email",
    )

    def __init__(self, email: dict[str, Any]) -> None:
        self.email = email
        self._arrival: float | None = None
        self._sent: float | None = None
        self._subject: tuple[str, bool] | None = None
        self._subject_key: bytes | None = None
        self._addresses: dict[str, bytes] = {}
        self._thread_ids: tuple[str | None, tuple[str, ...]] | None = None

    @property
    def arrival(self) -> float:
        if self._arrival is None:
            self._arrival = _seconds(self.email.get("receivedAt")) or 0.0
        return self._arrival

    @property
    def sent(self) -> float:
        """2.2: the Date header in UTC, or the internal date when it is missing or bad."""
        if self._sent is None:
            sent = _seconds(self.email.get("sentAt"))
            self._sent = self.arrival if sent is None else sent
        return self._sent

    @property
    def subject(self) -> tuple[str, bool]:
        """(base subject, reply or forward)."""
        if self._subject is None:
            self._subject = base_subject(self.email.get("subject"))
        return self._subject

    @property
    def subject_key(self) -> bytes:
        if self._subject_key is None:
            self._subject_key = casemap(self.subject[0])
        return self._subject_key

    def thread_ids(
        self, make: Callable[[dict[str, Any]], tuple[str | None, tuple[str, ...]]]
    ) -> tuple[str | None, tuple[str, ...]]:
        """THREAD=REFERENCES's own id and references, made by `make` once."""
        if self._thread_ids is None:
            self._thread_ids = make(self.email)
        return self._thread_ids

    def _mailbox_key(self, field: str) -> bytes:
        """CC, FROM, TO: the addr-mailbox (local part) of the first address."""
        address = str(_first(self.email.get(field)).get("email") or "")
        return casemap(address.rpartition("@")[0] if "@" in address else address)

    def _display_key(self, field: str) -> bytes:
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
            case "CC" | "FROM" | "TO" | "DISPLAYFROM" | "DISPLAYTO":
                return self._address_key(criterion)
        raise AssertionError(f"unknown sort criterion {criterion}")

    def _address_key(self, criterion: str) -> bytes:
        key = self._addresses.get(criterion)
        if key is None:
            if criterion.startswith("DISPLAY"):
                key = self._display_key(criterion[len("DISPLAY") :].lower())
            else:
                key = self._mailbox_key(criterion.lower())
            self._addresses[criterion] = key
        return key


@dataclass(frozen=True)
class Sortable:
    """One matched message: its number in the answer (UID or sequence), its sequence
    number (the last tie-breaker of every sort) and its facts."""

    number: int
    seq: int
    facts: Facts

    @property
    def email(self) -> dict[str, Any]:
        return self.facts.email

    @property
    def sent(self) -> float:
        return self.facts.sent

    @property
    def subject(self) -> tuple[str, bool]:
        return self.facts.subject

    @property
    def subject_key(self) -> bytes:
        return self.facts.subject_key

    def key(self, criterion: str) -> float | int | bytes:
        return self.facts.key(criterion)
