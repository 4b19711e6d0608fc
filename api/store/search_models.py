"""The ``search_files`` table: an account's tantivy index, one sealed row per index file.

Each row is one file of the account's index directory (a segment component, a
deleted-docs bitset, meta.json) or the index's own key map, sealed under the MK search
subkey with the file name as associated data (api.search.sealed_files). Nothing here is
readable without the account's master key: at rest the index shows file sizes and the
times rows change, no more (DESIGN.md, Keys: Search).

``search_removals`` queues the ids of emails dropped for good (the 30-day purge, a
restore under a new id) while their account has an index: its next unlocked use deletes
them from the index and seals the change. A row names an email that no longer exists,
nothing more.

``search_leases`` names the one node allowed to seal an account's index (the writer)
until its lease runs out, and the generation (a random token) of the sealed snapshot,
changed by every seal, so a node reading the snapshot knows when to reload it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models import Base

__all__ = ["SearchFileRow", "SearchLeaseRow", "SearchRemovalRow"]


class SearchFileRow(Base):
    __tablename__ = "search_files"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    # Plaintext: tantivy's file name (a random segment uuid and a component extension,
    # or meta.json): restoring needs it, and it says nothing about the mail.
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    # Ciphertext: AES-256-GCM of the file under the MK search subkey, AAD = account + name.
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class SearchRemovalRow(Base):
    __tablename__ = "search_removals"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    email_id: Mapped[str] = mapped_column(String(32), primary_key=True)


class SearchLeaseRow(Base):
    __tablename__ = "search_leases"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    # Plaintext: a random per-process node id; who may seal, nothing about the mail.
    holder: Mapped[str] = mapped_column(String(32))
    # Plaintext: when the lease runs out, in milliseconds since the epoch (0: released).
    expires_at: Mapped[int] = mapped_column(BigInteger)
    # Plaintext: a random token changed by every seal of the snapshot.
    generation: Mapped[str] = mapped_column(String(32))
