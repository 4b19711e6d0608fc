"""Registers EmailSubmission (RFC 8621 7) under urn:ietf:params:jmap:submission."""

from __future__ import annotations

from api.jmap.capabilities import SUBMISSION
from api.jmap.changes_method import ChangesArguments
from api.jmap.query_method import QueryArguments, QueryChangesArguments
from api.jmap.registry import MethodRegistry
from api.jmap.submission import (
    SubmissionGetArguments,
    submission_changes,
    submission_get,
    submission_query,
    submission_query_changes,
)
from api.jmap.submission_set import SubmissionSetArguments, submission_set

__all__ = ["register_submission_methods"]


def register_submission_methods(registry: MethodRegistry) -> None:
    registry.method("EmailSubmission/get", SUBMISSION, SubmissionGetArguments)(submission_get)
    registry.method("EmailSubmission/changes", SUBMISSION, ChangesArguments)(submission_changes)
    registry.method("EmailSubmission/query", SUBMISSION, QueryArguments)(submission_query)
    registry.method("EmailSubmission/queryChanges", SUBMISSION, QueryChangesArguments)(
        submission_query_changes
    )
    registry.method("EmailSubmission/set", SUBMISSION, SubmissionSetArguments)(submission_set)
