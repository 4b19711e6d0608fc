"""The Session resource (RFC 8620 2): capabilities, the account, absolute URLs, state."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from support.environment import sealbox_settings

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
from api.jmap.limits import CoreLimits
from api.jmap.session import base_url, build_session
from api.search.schema import LANGUAGES
from api.store.ids import AccountId
from crypto.master_key import MasterKey


@pytest.mark.parametrize(
    ("hostname", "port", "expected"),
    [
        ("mail.example.org", 443, "https://mail.example.org"),
        ("mail.example.org", 8443, "https://mail.example.org:8443"),
        ("127.0.0.1", 40001, "https://127.0.0.1:40001"),
        ("::1", 8443, "https://[::1]:8443"),
    ],
)
def test_base_url(tmp_path: Path, hostname: str, port: int, expected: str) -> None:
    settings = sealbox_settings(tmp_path, hostname=hostname, http_port=port)
    assert base_url(settings) == expected


def test_session_contents(tmp_path: Path, alice: UnlockedAccount) -> None:
    settings = sealbox_settings(tmp_path, hostname="mail.example.org", http_port=443)
    session = msgspec.to_builtins(build_session(settings, alice, CoreLimits()))
    assert session["capabilities"] == {
        CORE: {
            "maxSizeUpload": 50000000,
            "maxConcurrentUpload": 4,
            "maxSizeRequest": 10000000,
            "maxConcurrentRequests": 8,
            "maxCallsInRequest": 64,
            "maxObjectsInGet": 1000,
            "maxObjectsInSet": 1000,
            "collationAlgorithms": ["i;ascii-numeric", "i;ascii-casemap", "i;unicode-casemap"],
        },
        MAIL: {},
        QUOTA: {},
        SUBMISSION: {},
        VACATION_RESPONSE: {},
        WEBSOCKET: {"url": "wss://mail.example.org/jmap/ws/", "supportsPush": True},
        RETENTION: {"retentionDays": 30},
        IMAP: {},
        SEARCH: {},
        WEBMAIL: {},
    }
    assert session["accounts"] == {
        "aalice": {
            "name": "alice@example.org",
            "isPersonal": True,
            "isReadOnly": False,
            "accountCapabilities": {
                MAIL: {
                    "maxMailboxesPerEmail": None,
                    "maxMailboxDepth": None,
                    "maxSizeMailboxName": 1024,
                    "maxSizeAttachmentsPerEmail": 50000000,
                    "emailQuerySortOptions": [
                        "receivedAt",
                        "size",
                        "from",
                        "to",
                        "subject",
                        "sentAt",
                        "hasKeyword",
                        "allInThreadHaveKeyword",
                        "someInThreadHaveKeyword",
                    ],
                    "mayCreateTopLevelMailbox": True,
                },
                QUOTA: {},
                SUBMISSION: {"maxDelayedSend": 0, "submissionExtensions": {"REQUIRETLS": []}},
                VACATION_RESPONSE: {},
                RETENTION: {},
                IMAP: {},
                SEARCH: {"languages": sorted(LANGUAGES)},
                WEBMAIL: {},
            },
        }
    }
    assert session["primaryAccounts"] == {
        CORE: "aalice",
        MAIL: "aalice",
        SUBMISSION: "aalice",
        VACATION_RESPONSE: "aalice",
        QUOTA: "aalice",
        RETENTION: "aalice",
        IMAP: "aalice",
        SEARCH: "aalice",
        WEBMAIL: "aalice",
    }
    assert session["username"] == "alice@example.org"
    assert session["apiUrl"] == "https://mail.example.org/jmap/api/"
    assert session["downloadUrl"] == (
        "https://mail.example.org/jmap/download/{accountId}/{blobId}/{name}?type={type}"
    )
    assert session["uploadUrl"] == "https://mail.example.org/jmap/upload/{accountId}/"
    assert session["eventSourceUrl"] == (
        "https://mail.example.org/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}"
    )


def test_state_is_stable_and_follows_the_contents(tmp_path: Path, alice: UnlockedAccount) -> None:
    settings = sealbox_settings(tmp_path)
    first = build_session(settings, alice, CoreLimits())
    # A fresh unlock of the same account (another key object) gives the same state.
    again = UnlockedAccount(alice.account_id, alice.address, MasterKey.generate())
    assert build_session(settings, again, CoreLimits()).state == first.state
    other = UnlockedAccount(AccountId("abob"), "bob@example.org", MasterKey.generate())
    assert build_session(settings, other, CoreLimits()).state != first.state
    smaller = CoreLimits(max_calls_in_request=8)
    assert build_session(settings, alice, smaller).state != first.state
    moved = sealbox_settings(tmp_path, hostname="elsewhere.example")
    assert build_session(moved, alice, CoreLimits()).state != first.state
