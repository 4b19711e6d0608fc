"""What SORT and THREAD compare, read once per message (RFC 5256 2.2, 3; RFC 5957 2):
sent and arrival times, sizes, the base subject and first addresses, each folded by the
default comparator i;ascii-casemap (RFC 4790 9.2). A message's `Facts` never change (an
email is immutable but for its keywords and mailboxes), so they and the keys made from
them can be kept between commands (compat/imap/sort_facts.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from compat.imap.base_subject import base_subject

__all__ = ["Facts", "Sortable", "casemap", "sort_properties"]

_Key = TypeVar("_Key")

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
    once on first use."""

    __slots__ = ("_keys", "email")

    def __init__(self, email: dict[str, Any]) -> None:
        self.email = email
        self._keys: dict[str, Any] = {}

    def _made(self, name: str, make: Callable[[], _Key]) -> _Key:
        if name not in self._keys:
            self._keys[name] = make()
        return cast(_Key, self._keys[name])

    @property
    def arrival(self) -> float:
        return self._made("arrival", lambda: _seconds(self.email.get("receivedAt")) or 0.0)

    @property
    def sent(self) -> float:
        """2.2: the Date header in UTC, or the internal date when it is missing or bad."""

        def make() -> float:
            sent = _seconds(self.email.get("sentAt"))
            return self.arrival if sent is None else sent

        return self._made("sent", make)

    @property
    def subject(self) -> tuple[str, bool]:
        """(base subject, reply or forward)."""
        return self._made("subject", lambda: base_subject(self.email.get("subject")))

    @property
    def subject_key(self) -> bytes:
        return self._made("subject_key", lambda: casemap(self.subject[0]))

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
            case "CC" | "FROM" | "TO":
                field = criterion.lower()
                return self._made(criterion, lambda: self._mailbox_key(field))
            case "DISPLAYFROM" | "DISPLAYTO":
                field = criterion[len("DISPLAY") :].lower()
                return self._made(criterion, lambda: self._display_key(field))
        raise AssertionError(f"unknown sort criterion {criterion}")


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
