"""Typed ids shared by every layer, and how new ones are made (RFC 8620 1.2 Id syntax)."""

from __future__ import annotations

import base64
import re
import secrets
from typing import NewType

__all__ = [
    "BLOB_ID_PREFIX",
    "AccountId",
    "AppPasswordId",
    "DomainId",
    "IdentityId",
    "PasskeyId",
    "is_blob_id",
    "new_id",
]

AccountId = NewType("AccountId", str)
DomainId = NewType("DomainId", str)
AppPasswordId = NewType("AppPasswordId", str)
IdentityId = NewType("IdentityId", str)
PasskeyId = NewType("PasskeyId", str)

# Blob ids, which are also the blob store's keys, begin with this.
BLOB_ID_PREFIX = "b"
# What new_id makes: the prefix and 16 characters of lowercase base32.
_BLOB_ID = re.compile(rf"{BLOB_ID_PREFIX}[a-z2-7]{{16}}")


def new_id(prefix: str) -> str:
    """A random id of 80 bits: a one-letter type prefix and 16 base32 characters.

    Random rather than sequential so ids reveal neither counts nor creation order.
    """
    body = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()
    return f"{prefix}{body}"


def is_blob_id(value: str) -> bool:
    """Whether `value` has the form of an id new_id(BLOB_ID_PREFIX) made."""
    return _BLOB_ID.fullmatch(value) is not None
