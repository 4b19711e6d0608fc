"""Capability URIs this server knows (RFC 8620 2, 9.4 registry)."""

from __future__ import annotations

__all__ = ["CORE", "MAIL", "QUOTA", "WEBSOCKET"]

CORE = "urn:ietf:params:jmap:core"
MAIL = "urn:ietf:params:jmap:mail"
WEBSOCKET = "urn:ietf:params:jmap:websocket"
QUOTA = "urn:ietf:params:jmap:quota"
