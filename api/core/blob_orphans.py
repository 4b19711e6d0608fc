"""The orphan sweep: stored blob content that no row refers to.

Every writer adds a blob's row right after its put, and rows are deleted before files,
so content without a row is what a crash or a lost MX worker left between the two:
ciphertext whose data key was never stored, unreadable and only taking space. It is
found by listing the backend and asking the database, so a node pointed at the wrong
database (an empty one, another node's) would see all of its mail as orphans: a sweep
that finds more than a crash could leave deletes nothing and says so.
"""

from __future__ import annotations

import logging

from api.store.blobs.backend import BlobBackend
from api.store.ids import is_blob_id
from api.store.unit_of_work import Store

__all__ = ["MAX_ORPHANS", "purge_orphans"]

log = logging.getLogger("sealbox.blobs")

# A crash leaves at most the deliveries and uploads in flight: tens, not thousands.
MAX_ORPHANS = 10_000
# Beyond the first _FEW, no more than this share of the stored blobs.
_FEW = 100
_MAX_ORPHAN_SHARE = 0.05


async def purge_orphans(store: Store, backend: BlobBackend, idle_seconds: float) -> int:
    """Delete content written ``idle_seconds`` ago or more that has no row; returns how
    many. Refuses (deleting nothing, logging why) when there are implausibly many."""
    orphans: list[str] = []
    settled = 0
    async for keys in backend.settled_keys(idle_seconds):
        # Only what has the form of our ids: a stray file is not ours to delete.
        blob_ids = [key for key in keys if is_blob_id(key)]
        settled += len(blob_ids)
        async with store.transaction() as tx:
            known = await tx.blobs.known(blob_ids)
        orphans.extend(blob_id for blob_id in blob_ids if blob_id not in known)
        if len(orphans) > MAX_ORPHANS:
            break
    if len(orphans) > MAX_ORPHANS or len(orphans) > max(_FEW, settled * _MAX_ORPHAN_SHARE):
        log.error(
            "not deleting stored blobs without a row: far more than a crash leaves; "
            "is the database the one these blobs belong to?",
            extra={"event": "blobs.orphan_sweep_refused", "count": len(orphans)},
        )
        return 0
    for blob_id in orphans:
        await backend.delete(blob_id)
    return len(orphans)
