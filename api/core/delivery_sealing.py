"""A delivered message made ready for storage without any secret: parsed once, then per
recipient its blob and header summary sealed to the recipient's public key (RFC 9180 6.1).

Pure and picklable both ways, so the MX runs it in worker processes (api.core.sealing_pool)
and a local delivery in a thread; both store what the same function made.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from api.core.blob_sealing import SealedBlob, seal_whole
from api.core.email_summary import EmailSummary, seal_pending_summary, summarize
from api.mime.email_view import parse_email
from api.store.blobs.backend import ProcessWriter
from api.store.ids import AccountId, new_id
from crypto.sealing import new_data_key

__all__ = ["SealedCopy", "seal_copies", "written_copy"]


@dataclass(frozen=True, slots=True)
class SealedCopy:
    """One recipient's copy: its new email id, sealed blob and sealed summary."""

    email_id: str
    blob: SealedBlob
    # In clear only for the plaintext sentAt column; it is stored sealed.
    summary: EmailSummary
    summary_sealed: bytes


def seal_copies(raw: bytes, recipients: Sequence[tuple[AccountId, bytes]]) -> list[SealedCopy]:
    """A copy of `raw` for each (account id, public key), in order."""
    summary = summarize(parse_email(raw))
    copies = []
    for account_id, public_key in recipients:
        email_id, data_key = new_id("e"), new_data_key()
        blob = seal_whole(account_id, public_key, raw, data_key=data_key)
        sealed_summary = seal_pending_summary(
            data_key,
            blob.sealed_data_key,
            summary,
            account_id=account_id,
            email_id=email_id,
            blob_id=blob.id,
        )
        copies.append(SealedCopy(email_id, blob, summary, sealed_summary))
    return copies


def written_copy(copy: SealedCopy, writer: ProcessWriter) -> SealedCopy:
    """`copy` with its blob put durably by `writer`, and the ciphertext dropped from it."""
    stored = writer.put_blocking(copy.blob.id, copy.blob.content)
    blob = dataclasses.replace(copy.blob, content=b"", stored_size=stored)
    return dataclasses.replace(copy, blob=blob)
