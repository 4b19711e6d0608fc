"""Capability URIs this server knows (RFC 8620 2, 9.4 registry; RFC 8621 1.3)."""

from __future__ import annotations

__all__ = [
    "CORE",
    "IMAP",
    "MAIL",
    "QUOTA",
    "RETENTION",
    "SEARCH",
    "SUBMISSION",
    "VACATION_RESPONSE",
    "WEBMAIL",
    "WEBSOCKET",
]

CORE = "urn:ietf:params:jmap:core"
MAIL = "urn:ietf:params:jmap:mail"
# RFC 8621 1.3.2: Identity (and, later, EmailSubmission) live under it.
SUBMISSION = "urn:ietf:params:jmap:submission"
VACATION_RESPONSE = "urn:ietf:params:jmap:vacationresponse"
WEBSOCKET = "urn:ietf:params:jmap:websocket"
QUOTA = "urn:ietf:params:jmap:quota"
# Vendor: destroyed mail kept 30 days, listed and restored (Email/listDeleted, /restore).
RETENTION = "urn:sealbox:retention"
# Vendor: IMAP facts as JMAP properties, for the compat layer and IMAP-minded clients:
# Mailbox uidValidity, uidNext, highestModseq; Email imapUids, modseq (RFC 9051, RFC 7162);
# and Mailbox/imapListing, a mailbox's [uid, emailId, keywords, modseq] rows, whole or
# since a modseq (api/jmap/mailbox_imap.py).
IMAP = "urn:sealbox:imap"
# Vendor: the account's full-text search switch and stemming language (SearchSettings/get,
# /set); the Session's account capability lists the languages offered.
SEARCH = "urn:sealbox:search"
# Vendor: the webmail's own preferences, sealed with the account's settings
# (WebmailSettings/get, /set: imageSenders, whose remote images load without asking).
WEBMAIL = "urn:sealbox:webmail"
