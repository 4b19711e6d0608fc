"""Email/query's filter and sort arguments (RFC 8621 4.4.1, 4.4.2) as the core's typed tree.

Wire dicts stop here: each FilterCondition becomes plaintext store conditions or sealed
summary conditions, each Comparator an EmailComparator; what this server cannot do is
unsupportedFilter / unsupportedSort, what is malformed is invalidArguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import msgspec

from api.core.email_filter import (
    Collation,
    EmailComparator,
    EmailFilter,
    FilterOperator,
    SummaryCondition,
)
from api.core.email_query import DEFAULT_SORT
from api.core.errors import InvalidEmailError
from api.core.keywords import check_keyword
from api.core.mail_search import TextCondition
from api.jmap.email_import import parse_utc_date
from api.jmap.errors import InvalidArgumentsError, UnsupportedFilterError, UnsupportedSortError
from api.store.email_filter import (
    Constant,
    HasKeyword,
    InMailbox,
    InMailboxOtherThan,
    MaxSize,
    MinSize,
    ReceivedAfter,
    ReceivedBefore,
    ThreadKeyword,
)

__all__ = ["SORT_OPTIONS", "EmailComparatorArgument", "parse_filter", "parse_sort"]

SORT_OPTIONS = (
    "receivedAt",
    "size",
    "from",
    "to",
    "subject",
    "sentAt",
    "hasKeyword",
    "allInThreadHaveKeyword",
    "someInThreadHaveKeyword",
)
_KEYWORD_SORTS = frozenset({"hasKeyword", "allInThreadHaveKeyword", "someInThreadHaveKeyword"})
_COLLATIONS = frozenset({"i;ascii-numeric", "i;ascii-casemap", "i;unicode-casemap"})
# A deeper tree is no real client's; refusing it keeps evaluation off Python's stack limit.
MAX_FILTER_DEPTH = 32


class EmailComparatorArgument(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    property: str
    is_ascending: bool = True
    collation: str | None = None
    keyword: str | None = None


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentsError(f"filter {name} must be a string")
    return value


def _size(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentsError(f"filter {name} must be an unsigned integer")
    return value


def _keyword(name: str, value: Any) -> str:
    try:
        return check_keyword(_text(name, value))
    except InvalidEmailError as exc:
        raise InvalidArgumentsError(f"filter {name}: {exc.message}") from None


def _date(name: str, value: Any) -> int:
    try:
        return parse_utc_date(_text(name, value), name)
    except InvalidEmailError as exc:
        raise InvalidArgumentsError(f"filter {name}: {exc.message}") from None


def _mailboxes(name: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidArgumentsError(f"filter {name} must be a list of ids")
    return tuple(value)


def _attachment(name: str, value: Any) -> SummaryCondition:
    if not isinstance(value, bool):
        raise InvalidArgumentsError(f"filter {name} must be true or false")
    return SummaryCondition("hasAttachment", value)


def _summary(prop: Any) -> Callable[[str, Any], EmailFilter]:
    return lambda name, value: SummaryCondition(prop, _text(name, value))


def _full_text(field: Any) -> Callable[[str, Any], EmailFilter]:
    return lambda name, value: TextCondition(field, _text(name, value))


def _header(name: str, value: Any) -> EmailFilter:
    """4.4.1 header: [name] (the header is present) or [name, text in its value]."""
    if (
        not isinstance(value, list)
        or not 1 <= len(value) <= 2
        or not all(isinstance(v, str) for v in value)
        or not value[0].strip()
        or any(c.isspace() for c in value[0].strip())
    ):
        raise InvalidArgumentsError("filter header must be [name] or [name, value]")
    return TextCondition("header", value[1] if len(value) == 2 else "", header=value[0])


def _thread(mode: Any) -> Callable[[str, Any], EmailFilter]:
    return lambda name, value: ThreadKeyword(_keyword(name, value), mode)


_CONDITIONS: dict[str, Callable[[str, Any], EmailFilter]] = {
    "inMailbox": lambda n, v: InMailbox(_text(n, v)),
    "inMailboxOtherThan": lambda n, v: InMailboxOtherThan(_mailboxes(n, v)),
    "before": lambda n, v: ReceivedBefore(_date(n, v)),
    "after": lambda n, v: ReceivedAfter(_date(n, v)),
    "minSize": lambda n, v: MinSize(_size(n, v)),
    "maxSize": lambda n, v: MaxSize(_size(n, v)),
    "allInThreadHaveKeyword": _thread("all"),
    "someInThreadHaveKeyword": _thread("some"),
    "noneInThreadHaveKeyword": _thread("none"),
    "hasKeyword": lambda n, v: HasKeyword(_keyword(n, v)),
    "notKeyword": lambda n, v: FilterOperator("NOT", (HasKeyword(_keyword(n, v)),)),
    "hasAttachment": _attachment,
    "from": _summary("from"),
    "to": _summary("to"),
    "cc": _summary("cc"),
    "bcc": _summary("bcc"),
    "subject": _summary("subject"),
    # Answered by the account's encrypted index (api.search); unsupportedFilter when off.
    "text": _full_text("text"),
    "body": _full_text("body"),
    "header": _header,
}


def _condition(node: dict[str, Any]) -> EmailFilter:
    parts: list[EmailFilter] = []
    for name, value in node.items():
        parse = _CONDITIONS.get(name)
        if parse is None:
            raise UnsupportedFilterError(f"unknown Email filter condition {name!r}")
        parts.append(parse(name, value))
    # 4.4.1: no property is always true; several must all apply.
    if not parts:
        return Constant(True)
    return parts[0] if len(parts) == 1 else FilterOperator("AND", tuple(parts))


def parse_filter(node: Any, depth: int = 0) -> EmailFilter:
    """A FilterOperator / FilterCondition tree (RFC 8620 5.5) as the core's tree."""
    if node is None and depth == 0:
        return Constant(True)
    if not isinstance(node, dict):
        raise InvalidArgumentsError("a filter must be an object")
    if depth > MAX_FILTER_DEPTH:
        raise InvalidArgumentsError(f"filters nest at most {MAX_FILTER_DEPTH} deep")
    if "operator" not in node:
        return _condition(node)
    operator, conditions = node["operator"], node.get("conditions")
    if set(node) != {"operator", "conditions"} or not isinstance(conditions, list):
        raise InvalidArgumentsError("a FilterOperator has an operator and a list of conditions")
    if operator not in ("AND", "OR", "NOT"):
        raise UnsupportedFilterError(f"unknown filter operator {operator!r}")
    children = tuple(parse_filter(c, depth + 1) for c in conditions)
    return FilterOperator(operator, children)


def parse_sort(sort: list[EmailComparatorArgument] | None) -> tuple[EmailComparator, ...]:
    """The comparators, or receivedAt descending when none are given."""
    if not sort:
        return DEFAULT_SORT
    parsed = []
    for comparator in sort:
        if comparator.property not in SORT_OPTIONS:
            raise UnsupportedSortError(f"cannot sort emails by {comparator.property!r}")
        collation = comparator.collation or "i;unicode-casemap"
        if collation not in _COLLATIONS:
            raise UnsupportedSortError(f"collation {collation!r} is not supported for Email")
        keyword = None
        if comparator.property in _KEYWORD_SORTS:
            if comparator.keyword is None:
                raise InvalidArgumentsError(f"sorting by {comparator.property} needs a keyword")
            keyword = _keyword("keyword", comparator.keyword)
        parsed.append(
            EmailComparator(
                property=comparator.property,
                ascending=comparator.is_ascending,
                keyword=keyword,
                collation=cast(Collation, collation),
            )
        )
    return tuple(parsed)
