"""EmailSubmission/get, /changes, /query, /queryChanges (RFC 8621 7.1-7.4)."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

import msgspec

from api.core.submission_model import Submission
from api.jmap.changes_method import ChangesArguments, answer_changes
from api.jmap.email_render import utc_date
from api.jmap.errors import (
    CannotCalculateChangesError,
    InvalidArgumentsError,
    RequestTooLargeError,
    UnsupportedFilterError,
    UnsupportedSortError,
)
from api.jmap.query_method import QueryArguments, QueryChangesArguments, answer_query
from api.jmap.registry import MethodArguments, MethodContext
from api.jmap.states import state_string
from api.store.submissions import SubmissionFilter

__all__ = [
    "SubmissionGetArguments",
    "render_submission",
    "submission_changes",
    "submission_get",
    "submission_query",
    "submission_query_changes",
]

PROPERTIES = (
    "id", "identityId", "emailId", "threadId", "envelope", "sendAt", "undoStatus",
    "deliveryStatus", "dsnBlobIds", "mdnBlobIds",
)  # fmt: skip
_SORTS = {"emailId": "email_id", "threadId": "thread_id", "sentAt": "send_at"}


class SubmissionGetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    ids: list[str] | None = None
    properties: list[str] | None = None


def render_submission(submission: Submission) -> dict[str, Any]:
    return {
        "id": submission.id,
        "identityId": submission.identity_id,
        "emailId": submission.email_id,
        "threadId": submission.thread_id,
        "envelope": msgspec.to_builtins(submission.envelope),
        "sendAt": utc_date(submission.send_at),
        "undoStatus": submission.undo_status,
        "deliveryStatus": {
            status.email: {
                "smtpReply": status.smtp_reply,
                "delivered": status.delivered,
                "displayed": status.displayed,
            }
            for status in submission.statuses
        },
        "dsnBlobIds": [],
        "mdnBlobIds": [],
    }


async def submission_get(
    context: MethodContext, arguments: SubmissionGetArguments
) -> dict[str, Any]:
    properties = list(PROPERTIES) if arguments.properties is None else arguments.properties
    unknown = sorted(set(properties) - set(PROPERTIES))
    if unknown:
        raise InvalidArgumentsError(f"unknown EmailSubmission properties: {', '.join(unknown)}")
    service = context.services.submissions
    ids = arguments.ids
    if ids is None:
        ids, _ = await service.query(context.unlocked.account_id, SubmissionFilter(), [])
    limit = context.limits.max_objects_in_get
    if limit is not None and len(ids) > limit:
        raise RequestTooLargeError(f"at most {limit} ids per EmailSubmission/get")
    found, state = await service.get(context.unlocked, ids)
    by_id = {s.id: render_submission(s) for s in found}
    wanted = list(dict.fromkeys(ids))
    return {
        "accountId": context.account_id,
        "state": state_string(state),
        "list": [{p: by_id[i][p] for p in ("id", *properties)} for i in wanted if i in by_id],
        "notFound": [i for i in wanted if i not in by_id],
    }


async def submission_changes(context: MethodContext, arguments: ChangesArguments) -> dict[str, Any]:
    source = partial(context.services.submissions.changes, context.unlocked.account_id)
    return await answer_changes(context, arguments, source)


def _utc(value: Any, prop: str) -> int:
    try:
        return int(datetime.fromisoformat(str(value)).timestamp())
    except ValueError:
        raise InvalidArgumentsError(f"{prop} is not a UTCDate") from None


def _filter(condition: dict[str, Any] | None) -> SubmissionFilter:
    """7.3 FilterCondition; operators are not offered for this small type."""
    condition = condition or {}
    known = {"identityIds", "emailIds", "threadIds", "undoStatus", "before", "after"}
    unknown = sorted(set(condition) - known)
    if unknown:
        raise UnsupportedFilterError(f"unknown EmailSubmission filter: {', '.join(unknown)}")
    try:
        return SubmissionFilter(
            identity_ids=condition.get("identityIds"),
            email_ids=condition.get("emailIds"),
            thread_ids=condition.get("threadIds"),
            undo_status=condition.get("undoStatus"),
            before=_utc(condition["before"], "before") if "before" in condition else None,
            after=_utc(condition["after"], "after") if "after" in condition else None,
        )
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentsError(str(exc)) from None


async def submission_query(context: MethodContext, arguments: QueryArguments) -> dict[str, Any]:
    order = []
    for comparator in arguments.sort or []:
        column = _SORTS.get(comparator.property)
        if column is None:
            raise UnsupportedSortError(f"cannot sort submissions by {comparator.property!r}")
        order.append((column, comparator.is_ascending))
    ids, state = await context.services.submissions.query(
        context.unlocked.account_id, _filter(arguments.filter), order
    )
    return answer_query(context, arguments, ids, state)


async def submission_query_changes(
    context: MethodContext, arguments: QueryChangesArguments
) -> dict[str, Any]:
    raise CannotCalculateChangesError("run EmailSubmission/query again")
