"""The ``blobs`` table: one row per stored blob (RFC 8620 6), its content elsewhere.

The content lives in a BlobBackend as STREAM ciphertext; this row holds the key to it,
sealed, and the plaintext metadata listed with each column.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models import Base

__all__ = ["BlobRow"]


class BlobRow(Base):
    __tablename__ = "blobs"

    # Plaintext: a random id ("b" + 80 bits), also the backend object key.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Plaintext: whose blob it is, so downloads and purges need no key.
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    # Plaintext size in octets: RFC 8620 6.1 returns it on upload, quotas count it, and
    # it is computable from stored_size anyway (a fixed 28 octets per chunk + 12).
    size: Mapped[int] = mapped_column(BigInteger)
    # The per-blob data key, HPKE-sealed to the account's public key with the blob id in
    # `info` (crypto.sealing): delivery can store without the user, only MK can read.
    # Deleting the row crypto-shreds the blob.
    sealed_data_key: Mapped[bytes] = mapped_column(LargeBinary)
    # Plaintext: the ciphertext size, which range reads need to find the final chunk.
    stored_size: Mapped[int] = mapped_column(BigInteger)
    # Plaintext: when it was stored and, for uploads nothing references yet, when it may
    # be purged (RFC 8620 6.1: at least one hour). NULL means kept until deleted.
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


Index("ix_blobs_expires_at", BlobRow.expires_at)
