"""Sequence sets (RFC 9051 9 sequence-set, 6.4.8 UIDs): `1:4,7,9:*` and `$` never here."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from compat.imap.proto.tokens import ParseError

__all__ = ["SequenceSet", "compress", "format_ranges", "parse_sequence_set", "ranges_of"]

# `*` is the largest number in use; 0 stands for it until resolved against a mailbox.
_STAR = 0
_MAX = 2**32 - 1


@dataclass(frozen=True, slots=True)
class SequenceSet:
    """Ranges as written, `*` kept symbolic: what it means depends on the mailbox."""

    ranges: tuple[tuple[int, int], ...]

    def resolve(self, largest: int) -> list[tuple[int, int]]:
        """Ranges with `*` replaced by `largest`, each ordered low to high (9: 4:2 == 2:4)."""
        out = []
        for first, last in self.ranges:
            low = largest if first == _STAR else first
            high = largest if last == _STAR else last
            out.append((min(low, high), max(low, high)))
        return out

    def contains(self, number: int, largest: int) -> bool:
        return any(low <= number <= high for low, high in self.resolve(largest))

    def select(self, numbers: Sequence[int]) -> list[int]:
        """Positions (0-based) in sorted `numbers` that the set names; `*` is the last."""
        if not numbers:
            return []
        resolved = self.resolve(numbers[-1])
        if len(resolved) == 1:  # `1:*`, the common case: no set to build and sort
            [(low, high)] = resolved
            return list(range(bisect_left(numbers, low), bisect_right(numbers, high)))
        # Bisecting per range keeps `1,3,5,...` over a large mailbox off O(n * ranges).
        chosen: set[int] = set()
        for low, high in resolved:
            chosen.update(range(bisect_left(numbers, low), bisect_right(numbers, high)))
        return sorted(chosen)


def _number(text: str) -> int:
    if text == "*":
        return _STAR
    if not text.isdigit() or text.startswith("0") or len(text) > 10:
        raise ParseError(f"bad sequence number {text!r}")
    value = int(text)
    if value > _MAX:
        raise ParseError("sequence number out of range")
    return value


def parse_sequence_set(text: str) -> SequenceSet:
    ranges = []
    for part in text.split(","):
        first, colon, last = part.partition(":")
        low = _number(first)
        ranges.append((low, _number(last) if colon else low))
    return SequenceSet(tuple(ranges))


def ranges_of(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """`1,2,3,7` as [(1, 3), (7, 7)]: runs of consecutive numbers, ascending."""
    out: list[tuple[int, int]] = []
    for number in sorted(set(numbers)):
        if out and number == out[-1][1] + 1:
            out[-1] = (out[-1][0], number)
        else:
            out.append((number, number))
    return out


def format_ranges(ranges: Iterable[tuple[int, int]]) -> str:
    return ",".join(str(low) if low == high else f"{low}:{high}" for low, high in ranges)


def compress(numbers: Iterable[int]) -> str:
    """`1,2,3,7` as `1:3,7` for responses (COPYUID, MODIFIED, ESEARCH)."""
    return format_ranges(ranges_of(numbers))
