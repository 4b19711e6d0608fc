"""Every JMAP method this server offers, registered in one place (RFC 8620 3.2).

Each data-type module contributes a `register_*` function; add new ones here.
"""

from __future__ import annotations

from functools import cache

from api.jmap.blob_copy import register_blob_methods
from api.jmap.core_methods import register_core_methods
from api.jmap.email_methods import register_email_methods
from api.jmap.identity_methods import register_identity_methods
from api.jmap.mailbox_methods import register_mailbox_methods
from api.jmap.quota import register_quota_methods
from api.jmap.registry import MethodRegistry
from api.jmap.search_settings import register_search_methods
from api.jmap.submission_methods import register_submission_methods
from api.jmap.webmail_settings import register_webmail_methods

__all__ = ["server_registry"]


@cache
def server_registry() -> MethodRegistry:
    """The node's registry, built once per process."""
    registry = MethodRegistry()
    register_core_methods(registry)
    register_blob_methods(registry)
    register_mailbox_methods(registry)
    register_email_methods(registry)
    register_quota_methods(registry)
    register_search_methods(registry)
    register_identity_methods(registry)
    register_submission_methods(registry)
    register_webmail_methods(registry)
    return registry
