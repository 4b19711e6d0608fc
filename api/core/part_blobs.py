"""Blobs of body parts (RFC 8621 4.1.4 blobId): `{message blob}_{partId}`, decoded on read.

A part's blob is not stored apart: its id names the message blob and the leaf's partId,
and reading it decrypts and parses the message and returns the part after transfer
decoding. A part that is itself a message (message/rfc822) has parts of its own, named by
appending their partIds ("b..._2_1"), which is how Email/parse of an attached message
hands out blob ids. Parts are bounded by their message's size, so they are read whole.
"""

from __future__ import annotations

import asyncio
import re

from api.core.blobs import BlobService
from api.core.errors import BlobNotFoundError
from api.core.unlocked import UnlockedAccount
from api.mime.email_view import parse_email
from api.store.ids import AccountId

__all__ = ["MAX_NESTING", "PartBlobs", "part_blob_id", "split_part_blob_id"]

# Attached messages inside attached messages: each level is one more parse of the octets.
MAX_NESTING = 4
_PART_BLOB = re.compile(rf"(b[a-z2-7]{{16}})((?:_[1-9][0-9]{{0,5}}){{1,{MAX_NESTING}}})")


def part_blob_id(blob_id: str, part_id: str) -> str:
    """The blobId of one leaf part of the message stored as (or being) `blob_id`."""
    return f"{blob_id}_{part_id}"


def split_part_blob_id(blob_id: str) -> tuple[str, list[str]] | None:
    """(message blob id, partIds from the outside in), or None for a stored blob's id."""
    found = _PART_BLOB.fullmatch(blob_id)
    if found is None:
        return None
    return found.group(1), found.group(2).split("_")[1:]


class PartBlobs:
    """Reads any blob id of an account: stored blobs as they are, part blobs decoded."""

    def __init__(self, blobs: BlobService) -> None:
        self._blobs = blobs

    async def read(self, unlocked: UnlockedAccount, blob_id: str) -> bytes:
        """The blob's octets; BlobNotFoundError if the blob or the part does not exist."""
        split = split_part_blob_id(blob_id)
        if split is None:
            return await self._blobs.read_all(unlocked, blob_id)
        message_blob, part_ids = split
        data = await self._blobs.read_all(unlocked, message_blob)
        for depth, part_id in enumerate(part_ids):
            parsed = await asyncio.to_thread(parse_email, data)
            span = parsed.spans.get(part_id)
            inner = parsed.part_bytes(part_id)
            # Only an attached message has parts of its own; "b..._3_1" of an image is not.
            nested = depth < len(part_ids) - 1
            if inner is None or span is None or (nested and span.type != "message/rfc822"):
                raise BlobNotFoundError()
            data = inner
        return data

    async def exists(self, unlocked: UnlockedAccount, blob_id: str) -> bool:
        """Whether `read` would succeed; a stored blob is checked without decrypting it."""
        try:
            if split_part_blob_id(blob_id) is None:
                await self._blobs.find(AccountId(unlocked.account_id), blob_id)
            else:
                await self.read(unlocked, blob_id)
        except BlobNotFoundError:
            return False
        return True
