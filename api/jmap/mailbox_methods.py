"""Registers the Mailbox methods (RFC 8621 2) under urn:ietf:params:jmap:mail, and the
vendor Mailbox/imapListing under urn:sealbox:imap."""

from __future__ import annotations

from api.jmap.capabilities import IMAP, MAIL
from api.jmap.changes_method import ChangesArguments
from api.jmap.mailbox import GetArguments, mailbox_changes, mailbox_get
from api.jmap.mailbox_imap import ImapListingArguments, mailbox_imap_listing
from api.jmap.mailbox_query import (
    QueryArguments,
    QueryChangesArguments,
    mailbox_query,
    mailbox_query_changes,
)
from api.jmap.mailbox_set import SetArguments, mailbox_set
from api.jmap.registry import MethodRegistry

__all__ = ["register_mailbox_methods"]


def register_mailbox_methods(registry: MethodRegistry) -> None:
    registry.method("Mailbox/get", MAIL, GetArguments)(mailbox_get)
    registry.method("Mailbox/changes", MAIL, ChangesArguments)(mailbox_changes)
    registry.method("Mailbox/set", MAIL, SetArguments)(mailbox_set)
    registry.method("Mailbox/query", MAIL, QueryArguments)(mailbox_query)
    registry.method("Mailbox/queryChanges", MAIL, QueryChangesArguments)(mailbox_query_changes)
    registry.method("Mailbox/imapListing", IMAP, ImapListingArguments)(mailbox_imap_listing)
