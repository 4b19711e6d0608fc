"""Capability URIs this server knows (RFC 8620 2, 9.4 registry)."""

from __future__ import annotations

__all__ = ["CORE"]

CORE = "urn:ietf:params:jmap:core"
