"""The grammar QRESYNC adds (RFC 7162 3.2.5, 3.2.6, 7 select-param, fetch-modifier):
SELECT/EXAMINE parameters and the UID FETCH modifiers CHANGEDSINCE and VANISHED."""

from __future__ import annotations

from dataclasses import dataclass

from compat.imap.proto.sequence import SequenceSet, parse_sequence_set
from compat.imap.proto.tokens import Atom, ParseError, Token, TokenList

__all__ = [
    "FetchModifiers",
    "Qresync",
    "SelectParameters",
    "fetch_modifiers",
    "parse_fetch_modifiers",
    "parse_select_parameters",
    "select_parameters",
]

_MAX_UID = 2**32 - 1
_MAX_MODSEQ = 2**63 - 1
# seq-match data is a sample of (number, UID) pairs; more than this is no sample.
_MAX_PAIRS = 65_536


@dataclass(frozen=True, slots=True)
class Qresync:
    """`QRESYNC (uidvalidity modseq [known-uids] [(known-seqs known-uids)])`."""

    uid_validity: int
    modseq: int
    known_uids: SequenceSet | None = None
    # (message number, UID) pairs the client saw together, ascending.
    seq_match: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class SelectParameters:
    condstore: bool = False
    qresync: Qresync | None = None


@dataclass(frozen=True, slots=True)
class FetchModifiers:
    changed_since: int | None = None
    vanished: bool = False


def _number(token: Token, what: str, low: int, high: int) -> int:
    if not isinstance(token, Atom) or not token.text.isdigit() or len(token.text) > 19:
        raise ParseError(f"{what} is a number")
    value = int(token.text)
    if not low <= value <= high:
        raise ParseError(f"{what} out of range")
    return value


def _starless(token: Token, what: str) -> SequenceSet:
    """A sequence set without `*` (7 known-uids, known-sequence-set)."""
    if not isinstance(token, Atom):
        raise ParseError(f"{what} is a sequence set")
    numbers = parse_sequence_set(token.text)
    if any(0 in pair for pair in numbers.ranges):  # `*` is kept as 0
        raise ParseError(f"{what} takes no *")
    return numbers


def _expanded(numbers: SequenceSet) -> list[int]:
    """Every number of the set, in the order written (each range low to high)."""
    out: list[int] = []
    for low, high in numbers.resolve(0):
        if len(out) + high - low >= _MAX_PAIRS:
            raise ParseError("too many sequence match pairs")
        out.extend(range(low, high + 1))
    return out


def _seq_match(token: Token) -> tuple[tuple[int, int], ...]:
    if not isinstance(token, TokenList) or len(token.items) != 2:
        raise ParseError("sequence match data is (known-sequence-set known-uid-set)")
    numbers = _expanded(_starless(token.items[0], "known-sequence-set"))
    uids = _expanded(_starless(token.items[1], "known-uid-set"))
    if len(numbers) != len(uids):  # 3.2.5.2: the two sets pair up one to one
        raise ParseError("known-sequence-set and known-uid-set differ in size")
    return tuple(zip(numbers, uids, strict=True))


def _qresync(token: Token) -> Qresync:
    if not isinstance(token, TokenList) or not 2 <= len(token.items) <= 4:
        raise ParseError("QRESYNC takes (uidvalidity modseq [known-uids] [seq-match])")
    items = list(token.items)
    uid_validity = _number(items.pop(0), "uidvalidity", 1, _MAX_UID)
    modseq = _number(items.pop(0), "mod-sequence", 0, _MAX_MODSEQ)
    known = None
    if items and isinstance(items[0], Atom):
        known = _starless(items.pop(0), "known-uids")
    seq_match = _seq_match(items.pop(0)) if items else ()
    if items:
        raise ParseError("QRESYNC takes (uidvalidity modseq [known-uids] [seq-match])")
    return Qresync(uid_validity, modseq, known, seq_match)


def _nonempty_list(token: Token, what: str) -> list[Token]:
    if not isinstance(token, TokenList) or not token.items:
        raise ParseError(f"{what} are a parenthesized list")
    return list(token.items)


def parse_select_parameters(token: Token) -> SelectParameters:
    """`(CONDSTORE)`, `(QRESYNC (...))` or both (RFC 4466 select-params)."""
    items = _nonempty_list(token, "SELECT parameters")
    condstore = False
    qresync = None
    while items:
        name = items.pop(0)
        if not isinstance(name, Atom):
            raise ParseError("a SELECT parameter is an atom")
        upper = name.text.upper()
        if upper == "CONDSTORE" and not condstore:
            condstore = True
        elif upper == "QRESYNC" and qresync is None and items:
            qresync = _qresync(items.pop(0))
        else:
            raise ParseError(f"unknown or repeated SELECT parameter {name.text[:20]!r}")
    return SelectParameters(condstore, qresync)


def parse_fetch_modifiers(token: Token, uid: bool) -> FetchModifiers:
    """`(CHANGEDSINCE n)` or, on UID FETCH only, `(CHANGEDSINCE n VANISHED)` (3.2.6)."""
    items = _nonempty_list(token, "FETCH modifiers")
    changed = None
    vanished = False
    while items:
        name = items.pop(0)
        upper = name.text.upper() if isinstance(name, Atom) else ""
        if upper == "CHANGEDSINCE" and changed is None and items:
            changed = _number(items.pop(0), "CHANGEDSINCE", 0, _MAX_MODSEQ)
        elif upper == "VANISHED" and not vanished:
            vanished = True
        else:
            raise ParseError("expected (CHANGEDSINCE n [VANISHED])")
    if vanished and not uid:
        raise ParseError("VANISHED goes with UID FETCH only")
    if vanished and changed is None:
        raise ParseError("VANISHED needs CHANGEDSINCE")
    if changed is None:
        raise ParseError("expected (CHANGEDSINCE n [VANISHED])")
    return FetchModifiers(changed, vanished)


def select_parameters(args: list[Token]) -> SelectParameters:
    """Takes the parameter list off `SELECT mailbox (...)`'s arguments when there is one."""
    return parse_select_parameters(args.pop()) if len(args) == 2 else SelectParameters()


def fetch_modifiers(args: list[Token], uid: bool) -> FetchModifiers:
    """Takes the modifier list off `FETCH set items (...)`'s arguments when there is one."""
    return parse_fetch_modifiers(args.pop(), uid) if len(args) == 3 else FetchModifiers()
