"""The node's periodic purge of unreferenced uploads (RFC 8620 6.1: kept at least 1 hour),
of blob writes a crashed process left behind (unfinished puts; once a day, stored content
whose row never committed), and of mail destroyed more than 30 days ago
(api.core.retention).

Every node may run it: rows are deleted before files and both deletes are idempotent,
so two nodes purging at once only repeat each other's work.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from api.core.blobs import BlobService
from api.core.clock import DAY
from api.core.retention import RetentionService

__all__ = [
    "ABANDONED_AFTER",
    "ORPHANED_AFTER",
    "PURGE_INTERVAL",
    "PurgeCounts",
    "purge_blobs_periodically",
    "purge_once",
]

log = logging.getLogger("sealbox.blobs")
# Uploads expire after a day; checking every ten minutes keeps the overshoot small.
PURGE_INTERVAL = 600.0
# A put that has not written for an hour belongs to a process that died mid-upload.
ABANDONED_AFTER = 3600.0
# Content is written just before its row commits. A day is far beyond that, and beyond
# the hour after which an unfinished multipart upload is aborted (S3 dates an object by
# the start of its upload).
ORPHANED_AFTER = float(DAY)
# The orphan sweep reads every stored key: daily, not each pass.
_ORPHAN_SWEEP_INTERVAL = float(DAY)


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    """What one purge pass destroyed."""

    emails: int = 0
    uploads: int = 0
    abandoned_writes: int = 0
    orphans: int = 0

    @property
    def total(self) -> int:
        return self.emails + self.uploads + self.abandoned_writes + self.orphans


async def purge_once(
    blobs: BlobService, retention: RetentionService | None = None, *, orphans: bool = True
) -> PurgeCounts:
    """One pass of every purge (the orphan sweep only with `orphans`); `sealbox purge`
    runs exactly this."""
    # Emails first, so the blobs they free are shredded in the same pass.
    emails = 0 if retention is None else await retention.purge()
    uploads = await blobs.purge_expired()
    abandoned = await blobs.backend.abandon_incomplete(ABANDONED_AFTER)
    orphaned = await blobs.purge_orphans(ORPHANED_AFTER) if orphans else 0
    return PurgeCounts(emails=emails, uploads=uploads, abandoned_writes=abandoned, orphans=orphaned)


async def purge_blobs_periodically(
    blobs: BlobService,
    interval: float = PURGE_INTERVAL,
    retention: RetentionService | None = None,
) -> None:
    """Purge now and every ``interval`` seconds until cancelled."""
    last_sweep: float | None = None
    while True:
        started = time.monotonic()
        sweep = last_sweep is None or started - last_sweep >= _ORPHAN_SWEEP_INTERVAL
        if sweep:
            # Counted as done even if it fails: a broken sweep retried every pass would
            # walk the whole store every ten minutes.
            last_sweep = started
        try:
            purged = (await purge_once(blobs, retention, orphans=sweep)).total
        except Exception:
            # A database hiccup must not end purging for the life of the process.
            log.exception("blob purge failed", extra={"event": "blobs.purge_failed"})
        else:
            if purged:
                elapsed_ms = round((time.monotonic() - started) * 1000)
                log.info(
                    "purged expired uploads, abandoned and orphaned writes, old mail",
                    extra={"event": "blobs.purged", "count": purged, "elapsed_ms": elapsed_ms},
                )
        await asyncio.sleep(interval)
