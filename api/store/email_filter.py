"""Email/query's plaintext conditions and sorts (RFC 8621 4.4.1, 4.4.2) as SQLAlchemy Core.

The core hands down a small tree of these dataclasses, never JMAP dicts; conditions on
sealed data (addresses, subject, hasAttachment) never reach SQL. Expressions are built
over the `emails` row of the query and, when the query is driven by one mailbox, its
`email_mailboxes` row, whose copy of receivedAt lets the index order the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, case, exists, false, func, not_, or_, true
from sqlalchemy.orm import aliased

from api.store.email_models import EmailMailboxRow, EmailRow
from api.store.keyword_bits import KEYWORD_BITS

__all__ = [
    "NO_SENT_AT",
    "Constant",
    "EmailIn",
    "HasKeyword",
    "InMailbox",
    "InMailboxOtherThan",
    "MaxSize",
    "MinSize",
    "Operator",
    "ReceivedAfter",
    "ReceivedBefore",
    "Scope",
    "SqlCondition",
    "SqlFilter",
    "SqlSort",
    "ThreadKeyword",
    "condition_sql",
    "sort_sql",
]

# An email without a Date header sorts as if sent before any real date, on both backends
# (SQLite puts NULL first, PostgreSQL last).
NO_SENT_AT = -(2**62)


@dataclass(frozen=True, slots=True)
class InMailbox:
    mailbox_id: str


@dataclass(frozen=True, slots=True)
class InMailboxOtherThan:
    """In at least one mailbox not listed."""

    mailbox_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReceivedBefore:
    """receivedAt < at (Unix seconds)."""

    at: int


@dataclass(frozen=True, slots=True)
class ReceivedAfter:
    """receivedAt >= at (Unix seconds)."""

    at: int


@dataclass(frozen=True, slots=True)
class MinSize:
    size: int


@dataclass(frozen=True, slots=True)
class MaxSize:
    """size < size."""

    size: int


@dataclass(frozen=True, slots=True)
class HasKeyword:
    """`keyword` already lowercase and valid (no space, so " kw " cannot straddle two)."""

    keyword: str


@dataclass(frozen=True, slots=True)
class ThreadKeyword:
    """all/some/none of the live emails in the email's thread have `keyword`."""

    keyword: str
    mode: Literal["all", "some", "none"]


@dataclass(frozen=True, slots=True)
class Constant:
    """Always (or never) true: an empty FilterCondition, or a stand-in for a sealed one."""

    value: bool


@dataclass(frozen=True, slots=True)
class EmailIn:
    """One of these email ids: the hits of a full-text search, which bound the result."""

    email_ids: frozenset[str]


SqlCondition = (
    EmailIn
    | InMailbox
    | InMailboxOtherThan
    | ReceivedBefore
    | ReceivedAfter
    | MinSize
    | MaxSize
    | HasKeyword
    | ThreadKeyword
    | Constant
)


@dataclass(frozen=True, slots=True)
class Operator:
    """RFC 8620 5.5 FilterOperator; NOT is true when no condition is."""

    operator: Literal["AND", "OR", "NOT"]
    conditions: tuple[SqlFilter, ...]


SqlFilter = SqlCondition | Operator

SortProperty = Literal[
    "receivedAt",
    "size",
    "sentAt",
    "hasKeyword",
    "allInThreadHaveKeyword",
    "someInThreadHaveKeyword",
]


@dataclass(frozen=True, slots=True)
class SqlSort:
    property: SortProperty
    ascending: bool
    keyword: str | None = None


@dataclass(frozen=True, slots=True)
class Scope:
    """The rows a query reads: the email, and the membership row when one mailbox drives."""

    account_id: str
    email: Any  # EmailRow (or an alias of it)
    member: Any | None = None  # EmailMailboxRow of the driving mailbox, if one drives
    mailbox_id: str | None = None  # that mailbox

    @property
    def received_at(self) -> Any:
        return self.email.received_at if self.member is None else self.member.received_at

    @property
    def email_id(self) -> Any:
        return self.email.id if self.member is None else self.member.email_id


def _has_keyword(email: Any, keyword: str) -> ColumnElement[bool]:
    bit = KEYWORD_BITS.get(keyword)
    if bit is not None:
        has_bit: ColumnElement[bool] = email.flags.op("&")(bit) != 0
        return has_bit
    return email.custom_keywords.contains(f" {keyword} ", autoescape=True)  # type: ignore[no-any-return]


def _thread_has(scope: Scope, keyword: str, negate: bool) -> ColumnElement[bool]:
    """EXISTS a live email of this email's thread that has (or, negated, lacks) `keyword`."""
    other = aliased(EmailRow)
    match = _has_keyword(other, keyword)
    return exists().where(
        other.account_id == scope.account_id,
        other.thread_id == scope.email.thread_id,
        other.deleted_at.is_(None),
        not_(match) if negate else match,
    )


def condition_sql(node: SqlFilter, scope: Scope) -> ColumnElement[bool]:
    """The WHERE expression of a filter tree."""
    if isinstance(node, Operator):
        parts = [condition_sql(c, scope) for c in node.conditions]
        if node.operator == "AND":
            return and_(true(), *parts)
        if node.operator == "OR":
            return or_(false(), *parts)
        return not_(or_(false(), *parts))
    email = scope.email
    match node:
        case Constant(value=value):
            return true() if value else false()
        case EmailIn(email_ids=email_ids):
            return email.id.in_(sorted(email_ids)) if email_ids else false()
        case InMailbox(mailbox_id=mailbox_id):
            if mailbox_id == scope.mailbox_id:
                return true()  # the join to the driving mailbox already says so
            member = aliased(EmailMailboxRow)
            return exists().where(member.email_id == email.id, member.mailbox_id == mailbox_id)
        case InMailboxOtherThan(mailbox_ids=mailbox_ids):
            member = aliased(EmailMailboxRow)
            return exists().where(
                member.email_id == email.id, member.mailbox_id.not_in(list(mailbox_ids))
            )
        case ReceivedBefore(at=at):
            return scope.received_at < at  # type: ignore[no-any-return]
        case ReceivedAfter(at=at):
            return scope.received_at >= at  # type: ignore[no-any-return]
        case MinSize(size=size):
            return email.size >= size  # type: ignore[no-any-return]
        case MaxSize(size=size):
            return email.size < size  # type: ignore[no-any-return]
        case HasKeyword(keyword=keyword):
            return _has_keyword(email, keyword)
        case ThreadKeyword(keyword=keyword, mode=mode):
            if mode == "some":
                return _thread_has(scope, keyword, negate=False)
            return not_(_thread_has(scope, keyword, negate=mode == "all"))
    raise AssertionError(f"unknown condition {node!r}")


def _as_number(condition: ColumnElement[bool]) -> ColumnElement[int]:
    # Booleans sort false < true on both backends only as integers.
    return case((condition, 1), else_=0)


def sort_sql(sort: SqlSort, scope: Scope) -> ColumnElement[Any]:
    """The value a comparator orders by (ascending order of this value is isAscending)."""
    email = scope.email
    if sort.property == "receivedAt":
        return scope.received_at  # type: ignore[no-any-return]
    if sort.property == "size":
        return email.size  # type: ignore[no-any-return]
    if sort.property == "sentAt":
        return func.coalesce(email.sent_at, NO_SENT_AT)
    assert sort.keyword is not None
    if sort.property == "hasKeyword":
        return _as_number(_has_keyword(email, sort.keyword))
    if sort.property == "someInThreadHaveKeyword":
        return _as_number(_thread_has(scope, sort.keyword, negate=False))
    return _as_number(not_(_thread_has(scope, sort.keyword, negate=True)))
