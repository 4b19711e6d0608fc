"""Creating an email from a JMAP create object (RFC 8621 4.6 Email/set create).

The Email/set `create` path calls `EmailComposer.create_email`: it fetches the content of
every blobId the body parts name (uploads and part blobs alike), builds the message with
api.mime.compose off the event loop, and stores it through EmailIngest.import_raw, so a
created email is stored, threaded and counted exactly like an imported one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from api.core.errors import BlobNotFoundError, InvalidEmailError
from api.core.ingest import EmailIngest, IncomingEmail
from api.core.part_blobs import PartBlobs
from api.core.unlocked import UnlockedAccount
from api.mime.compose import ComposeError, compose_email, referenced_blob_ids
from api.store.records import EmailRecord

__all__ = ["EmailComposer"]


class EmailComposer:
    def __init__(self, parts: PartBlobs, ingest: EmailIngest, hostname: str) -> None:
        self._parts = parts
        self._ingest = ingest
        # The right-hand side of generated Message-IDs (RFC 5322 3.6.4).
        self._hostname = hostname

    async def create_email(
        self, unlocked: UnlockedAccount, create: Mapping[str, Any], incoming: IncomingEmail
    ) -> EmailRecord:
        """Compose and store the Email that `create` describes.

        `create` is the create object as decoded from JSON; its mailboxIds, keywords and
        receivedAt are ignored here: the caller checks them and passes `incoming`.
        Raises InvalidEmailError (its `properties` for invalidProperties) when the object
        breaks a 4.6 rule, BlobNotFoundError (its `blob_ids` for blobNotFound) when a
        blobId names nothing, and whatever EmailIngest.import_raw raises.
        """
        contents: dict[str, bytes] = {}
        missing: list[str] = []
        for blob_id in referenced_blob_ids(create):
            try:
                contents[blob_id] = await self._parts.read(unlocked, blob_id)
            except BlobNotFoundError:
                missing.append(blob_id)
        if missing:
            raise BlobNotFoundError("no blob with the id " + ", ".join(missing), missing)
        try:
            raw = await asyncio.to_thread(
                compose_email, create, contents.get, hostname=self._hostname
            )
        except ComposeError as exc:
            raise InvalidEmailError(exc.message, exc.properties) from None
        return await self._ingest.import_raw(unlocked, raw, incoming)
