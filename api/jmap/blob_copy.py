"""Blob/copy (RFC 8620 6.3): copy blobs between accounts without downloading them.

A user has exactly one account here, so the only possible source is the target account
itself, where a blob (stored, or a body part of one) is already present: it "copies" to
its own id. Any other
fromAccountId is fromAccountNotFound (6.3).
"""

from __future__ import annotations

from typing import Any

from api.jmap.capabilities import CORE
from api.jmap.errors import MethodError, SetError
from api.jmap.registry import MethodArguments, MethodContext, MethodRegistry

__all__ = ["BlobCopyArguments", "FromAccountNotFoundError", "blob_copy", "register_blob_methods"]


class FromAccountNotFoundError(MethodError):
    type = "fromAccountNotFound"


class BlobCopyArguments(MethodArguments, frozen=True, kw_only=True):
    from_account_id: str
    account_id: str
    blob_ids: list[str]


async def blob_copy(context: MethodContext, arguments: BlobCopyArguments) -> dict[str, Any]:
    if arguments.from_account_id != context.account_id:
        raise FromAccountNotFoundError(f"no account {arguments.from_account_id!r} for this user")
    copied: dict[str, str] = {}
    not_copied: dict[str, SetError] = {}
    for blob_id in arguments.blob_ids:
        # A part blob (`{blob}_{partId}`) is checked by reading its message: it is there
        # exactly as long as that message, so it too copies to its own id.
        if await context.services.part_blobs.exists(context.unlocked, blob_id):
            copied[blob_id] = blob_id
        else:
            not_copied[blob_id] = SetError(type="notFound", description="no blob with that id")
    return {
        "fromAccountId": arguments.from_account_id,
        "accountId": arguments.account_id,
        "copied": copied or None,
        "notCopied": not_copied or None,
    }


def register_blob_methods(registry: MethodRegistry) -> None:
    registry.method("Blob/copy", CORE, BlobCopyArguments)(blob_copy)
