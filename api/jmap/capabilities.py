"""Capability URIs this server knows (RFC 8620 2, 9.4 registry)."""

from __future__ import annotations

__all__ = ["CORE", "MAIL", "SEALBOX_IMAP"]

CORE = "urn:ietf:params:jmap:core"
MAIL = "urn:ietf:params:jmap:mail"
# Vendor: IMAP facts (UIDs, UIDVALIDITY, MODSEQ) as JMAP properties, for the compat layer.
SEALBOX_IMAP = "urn:sealbox:imap"
