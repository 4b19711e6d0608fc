"""The JMAP Session resource (RFC 8620 2): capabilities, accounts and the URLs to use.

URLs are absolute (https://{hostname}[:{http_port}]/jmap/...) because clients such as
jmapc use them exactly as given. The API, upload, download (6.1, 6.2), event-source and
WebSocket endpoints all answer at the URLs advertised here.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from api.config import Settings
from api.core.mailbox_rules import MAX_NAME_OCTETS
from api.core.retention import RETENTION_DAYS
from api.core.unlocked import UnlockedAccount
from api.jmap.capabilities import (
    CORE,
    IMAP,
    MAIL,
    QUOTA,
    RETENTION,
    SEARCH,
    SUBMISSION,
    VACATION_RESPONSE,
    WEBMAIL,
    WEBSOCKET,
)
from api.jmap.email_query_args import SORT_OPTIONS
from api.jmap.limits import CoreLimits
from api.search.schema import LANGUAGES

__all__ = ["CoreCapability", "Session", "SessionAccount", "base_url", "build_session"]

# RFC 4790 collations the server can apply in /query filters and sorts.
COLLATIONS = ["i;ascii-numeric", "i;ascii-casemap", "i;unicode-casemap"]


class CoreCapability(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    max_size_upload: int
    max_concurrent_upload: int
    max_size_request: int
    max_concurrent_requests: int
    max_calls_in_request: int
    max_objects_in_get: int
    max_objects_in_set: int
    collation_algorithms: list[str]


class SessionAccount(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    name: str
    is_personal: bool
    is_read_only: bool
    account_capabilities: dict[str, dict[str, Any]]


class Session(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    # Each capability has its own object shape (RFC 8620 2), so the map is untyped here.
    capabilities: dict[str, dict[str, Any]]
    accounts: dict[str, SessionAccount]
    primary_accounts: dict[str, str]
    username: str
    api_url: str
    download_url: str
    upload_url: str
    event_source_url: str
    state: str


def base_url(settings: Settings) -> str:
    """https://host[:port] as clients reach this node; the port is left out when 443."""
    host = settings.hostname
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal (RFC 3986 3.2.2)
    port = "" if settings.http_port == 443 else f":{settings.http_port}"
    return f"https://{host}{port}"


def _core_capability(limits: CoreLimits) -> CoreCapability:
    return CoreCapability(
        max_size_upload=limits.max_size_upload,
        max_concurrent_upload=limits.max_concurrent_upload,
        max_size_request=limits.max_size_request,
        max_concurrent_requests=limits.max_concurrent_requests,
        max_calls_in_request=limits.max_calls_in_request,
        max_objects_in_get=limits.max_objects_in_get,
        max_objects_in_set=limits.max_objects_in_set,
        collation_algorithms=list(COLLATIONS),
    )


def _mail_account_capability() -> dict[str, Any]:
    """RFC 8621 1.3.1."""
    return {
        "maxMailboxesPerEmail": None,
        "maxMailboxDepth": None,
        "maxSizeMailboxName": MAX_NAME_OCTETS,
        "maxSizeAttachmentsPerEmail": 50_000_000,
        "emailQuerySortOptions": list(SORT_OPTIONS),
        "mayCreateTopLevelMailbox": True,
    }


def build_session(settings: Settings, unlocked: UnlockedAccount, limits: CoreLimits) -> Session:
    """The Session for one signed-in user; `state` is a hash of everything else in it."""
    root = base_url(settings)
    account_id = unlocked.account_id
    account = SessionAccount(
        name=unlocked.address,
        is_personal=True,
        is_read_only=False,
        account_capabilities={
            MAIL: _mail_account_capability(),
            QUOTA: {},
            # RFC 8621 1.3.2: nothing is sent later than asked; a mailFrom may carry
            # REQUIRETLS (RFC 8689), which the outbound queue honours.
            SUBMISSION: {"maxDelayedSend": 0, "submissionExtensions": {"REQUIRETLS": []}},
            VACATION_RESPONSE: {},
            RETENTION: {},
            IMAP: {},
            SEARCH: {"languages": sorted(LANGUAGES)},
            WEBMAIL: {},
        },
    )
    session = Session(
        capabilities={
            CORE: msgspec.to_builtins(_core_capability(limits)),
            MAIL: {},
            QUOTA: {},
            SUBMISSION: {},
            VACATION_RESPONSE: {},
            # How long Email/listDeleted and Email/restore can still see a destroyed email.
            RETENTION: {"retentionDays": RETENTION_DAYS},
            # Properties uidValidity, uidNext, highestModseq, imapUids, modseq and the
            # method Mailbox/imapListing (api/jmap/capabilities.py says what each is).
            IMAP: {},
            SEARCH: {},
            WEBMAIL: {},
            # RFC 8887 4: where to open the socket, and that push works over it.
            WEBSOCKET: {"url": f"wss{root[len('https') :]}/jmap/ws/", "supportsPush": True},
        },
        accounts={account_id: account},
        # Core names no account data, but clients (jmapc) take the default account from
        # its entry here as well.
        primary_accounts={
            CORE: account_id,
            MAIL: account_id,
            SUBMISSION: account_id,
            VACATION_RESPONSE: account_id,
            QUOTA: account_id,
            RETENTION: account_id,
            IMAP: account_id,
            SEARCH: account_id,
            WEBMAIL: account_id,
        },
        username=unlocked.address,
        api_url=f"{root}/jmap/api/",
        download_url=f"{root}/jmap/download/{{accountId}}/{{blobId}}/{{name}}?type={{type}}",
        upload_url=f"{root}/jmap/upload/{{accountId}}/",
        event_source_url=(
            f"{root}/jmap/eventsource/?types={{types}}&closeafter={{closeafter}}&ping={{ping}}"
        ),
        state="",
    )
    # Stable across requests and nodes: only a change of the contents changes the state.
    digest = hashlib.sha256(msgspec.json.encode(session, order="sorted")).hexdigest()
    return msgspec.structs.replace(session, state=digest[:16])
