"""Registers the Email and Thread methods (RFC 8621 3, 4) under urn:ietf:params:jmap:mail."""

from __future__ import annotations

from api.jmap.capabilities import MAIL
from api.jmap.email_get import ChangesArguments, GetArguments, email_changes, email_get
from api.jmap.email_import import ImportArguments, email_import
from api.jmap.email_query import (
    QueryArguments,
    QueryChangesArguments,
    email_query,
    email_query_changes,
)
from api.jmap.registry import MethodRegistry
from api.jmap.thread import ThreadGetArguments, thread_changes, thread_get

__all__ = ["register_email_methods"]


def register_email_methods(registry: MethodRegistry) -> None:
    registry.method("Email/get", MAIL, GetArguments)(email_get)
    registry.method("Email/changes", MAIL, ChangesArguments)(email_changes)
    registry.method("Email/import", MAIL, ImportArguments)(email_import)
    registry.method("Email/query", MAIL, QueryArguments)(email_query)
    registry.method("Email/queryChanges", MAIL, QueryChangesArguments)(email_query_changes)
    registry.method("Thread/get", MAIL, ThreadGetArguments)(thread_get)
    registry.method("Thread/changes", MAIL, ChangesArguments)(thread_changes)
