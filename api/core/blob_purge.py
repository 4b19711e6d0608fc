"""The node's periodic purge of unreferenced uploads (RFC 8620 6.1: kept at least 1 hour)
and of blob writes a crashed process left behind.

Every node may run it: rows are deleted before files and both deletes are idempotent,
so two nodes purging at once only repeat each other's work.
"""

from __future__ import annotations

import asyncio
import logging
import time

from api.core.blobs import BlobService

__all__ = ["ABANDONED_AFTER", "PURGE_INTERVAL", "purge_blobs_periodically"]

log = logging.getLogger("sealbox.blobs")
# Uploads expire after a day; checking every ten minutes keeps the overshoot small.
PURGE_INTERVAL = 600.0
# A put that has not written for an hour belongs to a process that died mid-upload.
ABANDONED_AFTER = 3600.0


async def purge_blobs_periodically(blobs: BlobService, interval: float = PURGE_INTERVAL) -> None:
    """Purge expired uploads now and every ``interval`` seconds until cancelled."""
    while True:
        started = time.monotonic()
        try:
            purged = await blobs.purge_expired()
            purged += await blobs.backend.abandon_incomplete(ABANDONED_AFTER)
        except Exception:
            # A database hiccup must not end purging for the life of the process.
            log.exception("blob purge failed", extra={"event": "blobs.purge_failed"})
        else:
            if purged:
                elapsed_ms = round((time.monotonic() - started) * 1000)
                log.info(
                    "purged expired uploads and abandoned writes",
                    extra={"event": "blobs.purged", "count": purged, "elapsed_ms": elapsed_ms},
                )
        await asyncio.sleep(interval)
