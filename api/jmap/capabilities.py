"""Capability URIs this server knows (RFC 8620 2, 9.4 registry)."""

from __future__ import annotations

__all__ = ["CORE", "MAIL", "RETENTION", "WEBSOCKET"]

CORE = "urn:ietf:params:jmap:core"
MAIL = "urn:ietf:params:jmap:mail"
WEBSOCKET = "urn:ietf:params:jmap:websocket"
# Vendor: destroyed mail kept 30 days, listed and restored (Email/listDeleted, /restore).
RETENTION = "urn:sealbox:retention"
