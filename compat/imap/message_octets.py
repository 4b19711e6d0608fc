"""Messages' raw octets for FETCH BODY[] (RFC 9051 6.4.5), straight from the blob service.

Why not JMAP: the JMAP way to raw octets is the HTTP download endpoint (RFC 8620 6.2),
which has no in-process method. The blob service is what that endpoint reads; calling it
here (decrypting with the session's unlocked keys) is the same read without HTTP. This is
the only place compat/imap reaches past the JMAP methods.
"""

from __future__ import annotations

from collections.abc import Sequence

from api.core.readable_blobs import ReadableBlobs
from api.core.unlocked import UnlockedAccount
from api.services import Services

__all__ = ["open_messages"]


async def open_messages(
    services: Services, unlocked: UnlockedAccount, blob_ids: Sequence[str]
) -> ReadableBlobs:
    """The FETCH's messages, their blob rows read together; the bodies are read a batch
    at a time (ReadableBlobs.batches) as they are rendered, never all at once."""
    return await services.blobs.readable(unlocked, blob_ids)
