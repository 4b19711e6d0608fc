"""Typed ids shared by every layer, and how new ones are made (RFC 8620 1.2 Id syntax)."""

from __future__ import annotations

import base64
import secrets
from typing import NewType

__all__ = [
    "BLOB_ID_PREFIX",
    "AccountId",
    "AppPasswordId",
    "DomainId",
    "IdentityId",
    "PasskeyId",
    "new_id",
]

AccountId = NewType("AccountId", str)
DomainId = NewType("DomainId", str)
AppPasswordId = NewType("AppPasswordId", str)
IdentityId = NewType("IdentityId", str)
PasskeyId = NewType("PasskeyId", str)

# Blob ids, which are also the blob store's keys, begin with this.
BLOB_ID_PREFIX = "b"


def new_id(prefix: str) -> str:
    """A random id of 80 bits: a one-letter type prefix and 16 base32 characters.

    Random rather than sequential so ids reveal neither counts nor creation order.
    """
    body = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()
    return f"{prefix}{body}"
