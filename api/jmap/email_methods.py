"""Registers the Email and Thread methods (RFC 8621 3, 4) under urn:ietf:params:jmap:mail,
and the retention methods under urn:sealbox:retention."""

from __future__ import annotations

from api.jmap.capabilities import MAIL, RETENTION
from api.jmap.changes_method import ChangesArguments
from api.jmap.email_copy import CopyArguments, email_copy
from api.jmap.email_get import GetArguments, email_changes, email_get
from api.jmap.email_import import ImportArguments, email_import
from api.jmap.email_parse import ParseArguments, email_parse
from api.jmap.email_query import (
    QueryArguments,
    QueryChangesArguments,
    email_query,
    email_query_changes,
)
from api.jmap.email_retention import (
    ListDeletedArguments,
    RestoreArguments,
    email_list_deleted,
    email_restore,
)
from api.jmap.email_set import EmailSetArguments, email_set
from api.jmap.registry import MethodRegistry
from api.jmap.search_snippet import SnippetArguments, search_snippet_get
from api.jmap.thread import ThreadGetArguments, thread_changes, thread_get

__all__ = ["register_email_methods"]


def register_email_methods(registry: MethodRegistry) -> None:
    registry.method("Email/get", MAIL, GetArguments)(email_get)
    registry.method("Email/changes", MAIL, ChangesArguments)(email_changes)
    registry.method("Email/import", MAIL, ImportArguments)(email_import)
    registry.method("Email/set", MAIL, EmailSetArguments)(email_set)
    registry.method("Email/listDeleted", RETENTION, ListDeletedArguments)(email_list_deleted)
    registry.method("Email/restore", RETENTION, RestoreArguments)(email_restore)
    registry.method("Email/parse", MAIL, ParseArguments)(email_parse)
    registry.method("Email/query", MAIL, QueryArguments)(email_query)
    registry.method("Email/copy", MAIL, CopyArguments)(email_copy)
    registry.method("SearchSnippet/get", MAIL, SnippetArguments)(search_snippet_get)
    registry.method("Email/queryChanges", MAIL, QueryChangesArguments)(email_query_changes)
    registry.method("Thread/get", MAIL, ThreadGetArguments)(thread_get)
    registry.method("Thread/changes", MAIL, ChangesArguments)(thread_changes)
