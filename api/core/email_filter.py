"""Email/query filter trees and comparators (RFC 8621 4.4.1, 4.4.2) in the domain's terms.

A tree mixes plaintext conditions, which the store runs as SQL (api.store.email_filter),
with conditions on the sealed summary (from, to, cc, bcc, subject, hasAttachment), which
only an unlocked account can test, in memory, and full-text conditions (TextCondition),
which the account's encrypted index answers with a set of ids (api.core.mail_search).
For a mixed tree the store returns a superset of the result (each sealed condition
replaced by "maybe") with the truth of every plaintext condition per row, and the core
finishes the tree here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from api.core.email_summary import EmailSummary
from api.core.mail_search import TextCondition, TextOperator, TextTree
from api.mime.addresses import EmailAddress
from api.store.email_filter import (
    Constant,
    MaxSize,
    MinSize,
    Operator,
    ReceivedAfter,
    ReceivedBefore,
    SqlCondition,
    SqlFilter,
    ThreadKeyword,
)

__all__ = [
    "SUMMARY_SORTS",
    "Collation",
    "EmailComparator",
    "EmailFilter",
    "FilterOperator",
    "SummaryCondition",
    "evaluate",
    "is_immutable",
    "needs_summary",
    "plaintext",
    "required_texts",
    "sort_text",
    "sql_conditions",
    "superset",
    "text_conditions",
    "text_tree",
    "through_index",
    "uses_threads",
]

SummaryProperty = Literal["from", "to", "cc", "bcc", "subject", "hasAttachment"]
Collation = Literal["i;ascii-numeric", "i;ascii-casemap", "i;unicode-casemap"]
# Sorts on the sealed summary; the rest are plaintext (api.store.email_filter.SqlSort).
SUMMARY_SORTS = frozenset({"from", "to", "subject"})
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True, slots=True)
class SummaryCondition:
    """A condition on the sealed summary: a text to find, or hasAttachment's value."""

    property: SummaryProperty
    value: str | bool


@dataclass(frozen=True, slots=True)
class FilterOperator:
    operator: Literal["AND", "OR", "NOT"]
    conditions: tuple[EmailFilter, ...]


EmailFilter = SqlCondition | SummaryCondition | TextCondition | FilterOperator
_SEALED = (SummaryCondition, TextCondition)


@dataclass(frozen=True, slots=True)
class EmailComparator:
    property: str  # a SqlSort property or one of SUMMARY_SORTS
    ascending: bool
    keyword: str | None = None
    collation: Collation = "i;unicode-casemap"


def plaintext(node: EmailFilter) -> SqlFilter | None:
    """The same tree for SQL, or None when it has a sealed or full-text condition."""
    if isinstance(node, _SEALED):
        return None
    if isinstance(node, FilterOperator):
        children = [plaintext(c) for c in node.conditions]
        if any(c is None for c in children):
            return None
        return Operator(node.operator, tuple(c for c in children if c is not None))
    return node


def superset(node: EmailFilter, upper: bool = True) -> SqlFilter:
    """A plaintext tree matching every email `node` matches (`upper`), or only emails it
    matches (not `upper`): a sealed condition becomes "true", or "false" under a NOT."""
    if isinstance(node, _SEALED):
        return Constant(upper)
    if isinstance(node, FilterOperator):
        flip = node.operator == "NOT"
        children = tuple(superset(c, upper != flip) for c in node.conditions)
        return Operator(node.operator, children)
    return node


def sql_conditions(node: EmailFilter) -> list[SqlCondition]:
    """Every distinct plaintext condition in the tree, in first-seen order."""
    found: dict[SqlCondition, None] = {}

    def walk(n: EmailFilter) -> None:
        if isinstance(n, FilterOperator):
            for child in n.conditions:
                walk(child)
        elif not isinstance(n, _SEALED):
            found[n] = None

    walk(node)
    return list(found)


def _addresses_text(addresses: list[EmailAddress] | None) -> str:
    if not addresses:
        return ""
    return ", ".join(f"{a.name or ''} <{a.email or ''}>" for a in addresses).casefold()


def _summary_matches(condition: SummaryCondition, summary: EmailSummary) -> bool:
    if condition.property == "hasAttachment":
        return summary.has_attachment is condition.value
    assert isinstance(condition.value, str)
    needle = condition.value.casefold()
    if condition.property == "subject":
        return needle in (summary.subject or "").casefold()
    addresses = {
        "from": summary.from_,
        "to": summary.to,
        "cc": summary.cc,
        "bcc": summary.bcc,
    }[condition.property]
    return needle in _addresses_text(addresses)


def text_conditions(node: EmailFilter) -> list[TextCondition]:
    """Every distinct full-text condition in the tree, in first-seen order."""
    if isinstance(node, TextCondition):
        return [node]
    if isinstance(node, FilterOperator):
        found: dict[TextCondition, None] = {}
        for child in node.conditions:
            found.update(dict.fromkeys(text_conditions(child)))
        return list(found)
    return []


def text_tree(node: EmailFilter) -> TextTree | None:
    """The same tree for the index alone, or None when it has any other condition."""
    if isinstance(node, TextCondition):
        return node
    if isinstance(node, FilterOperator):
        children = [text_tree(c) for c in node.conditions]
        if any(c is None for c in children):
            return None
        return TextOperator(node.operator, tuple(c for c in children if c is not None))
    return None


def required_texts(node: EmailFilter) -> list[TextCondition]:
    """Text conditions every result must meet (the node, or children of a top-level AND):
    their hits bound the result, so SQL can start from them."""
    if isinstance(node, TextCondition):
        return [node]
    if isinstance(node, FilterOperator) and node.operator == "AND":
        return [c for c in node.conditions if isinstance(c, TextCondition)]
    return []


def through_index(node: EmailFilter) -> EmailFilter:
    """With search on, from/to/cc/bcc/subject are asked of the index too: no summary is
    decrypted per candidate, and the words match as they do for `text`."""
    if isinstance(node, SummaryCondition) and isinstance(node.value, str):
        return TextCondition(node.property, node.value)  # type: ignore[arg-type]
    if isinstance(node, FilterOperator):
        return FilterOperator(node.operator, tuple(through_index(c) for c in node.conditions))
    return node


def needs_summary(node: EmailFilter) -> bool:
    """Whether evaluating the tree opens sealed summaries."""
    if isinstance(node, SummaryCondition):
        return True
    if isinstance(node, FilterOperator):
        return any(needs_summary(c) for c in node.conditions)
    return False


_NO_TEXTS: Mapping[TextCondition, frozenset[str]] = {}


def evaluate(
    node: EmailFilter,
    plain: dict[SqlCondition, bool],
    summary: EmailSummary | None,
    email_id: str = "",
    texts: Mapping[TextCondition, frozenset[str]] = _NO_TEXTS,
) -> bool:
    """The tree's truth for one email, given its plaintext conditions' truth and the ids
    each text condition's index search returned."""
    if isinstance(node, TextCondition):
        return email_id in texts[node]
    if isinstance(node, FilterOperator):
        results = (evaluate(c, plain, summary, email_id, texts) for c in node.conditions)
        if node.operator == "AND":
            return all(results)
        if node.operator == "OR":
            return any(results)
        return not any(results)
    if isinstance(node, SummaryCondition):
        assert summary is not None
        return _summary_matches(node, summary)
    return plain[node]


# RFC 4790 9.1: a string's value is its leading decimal digits; strings without any sort
# after every number and equal to each other.
_LEADING_DIGITS = re.compile(r"[0-9]+")
SortKey = str | tuple[int, int]


def _collate(text: str, collation: Collation) -> SortKey:
    if collation == "i;ascii-numeric":
        digits = _LEADING_DIGITS.match(text)
        return (0, int(digits.group())) if digits else (1, 0)
    return text.translate(_ASCII_LOWER) if collation == "i;ascii-casemap" else text.casefold()


def sort_text(comparator: EmailComparator, summary: EmailSummary) -> SortKey:
    """from/to: the first address's name, else its email; subject as it is (RFC 8621 4.4.2)."""
    if comparator.property == "subject":
        text = summary.subject or ""
    else:
        addresses = summary.from_ if comparator.property == "from" else summary.to
        first = addresses[0] if addresses else None
        text = "" if first is None else (first.name or first.email or "")
    return _collate(text, comparator.collation)


_IMMUTABLE = (ReceivedBefore, ReceivedAfter, MinSize, MaxSize, Constant)


def is_immutable(node: SqlFilter) -> bool:
    """Whether the tree reads only properties an email never changes (RFC 8620 5.6 upToId)."""
    if isinstance(node, Operator):
        return all(is_immutable(c) for c in node.conditions)
    return isinstance(node, _IMMUTABLE)


def uses_threads(node: SqlFilter) -> bool:
    """Thread conditions change when another email of the thread does."""
    if isinstance(node, Operator):
        return any(uses_threads(c) for c in node.conditions)
    return isinstance(node, ThreadKeyword)
