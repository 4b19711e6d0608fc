"""A message's raw octets for FETCH BODY[] (RFC 9051 6.4.5), straight from the blob service.

Why not JMAP: the JMAP way to raw octets is the HTTP download endpoint (RFC 8620 6.2),
which has no in-process method. The blob service is what that endpoint reads; calling it
here (decrypting with the session's unlocked keys) is the same read without HTTP. This is
the only place compat/imap reaches past the JMAP methods.
"""

from __future__ import annotations

from api.core.unlocked import UnlockedAccount
from api.services import Services

__all__ = ["read_message"]


async def read_message(services: Services, unlocked: UnlockedAccount, blob_id: str) -> bytes:
    return await services.blobs.read_all(unlocked, blob_id)
