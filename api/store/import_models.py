"""The table of mail-import progress: where a copy from another provider got to.

Nothing in it names the source: the key is a keyed hash (MK imports subkey) of the
server, user and folder, and the position (UIDVALIDITY, highest UID copied) is sealed
under the same subkey. At rest it shows only how many folders were imported and when.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models import Base

__all__ = ["ImportProgressRow"]


class ImportProgressRow(Base):
    __tablename__ = "import_progress"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    # Plaintext: HMAC-SHA256 of (source, folder) under an MK subkey; a lookup key that
    # reveals neither the provider nor the folder name.
    source_key: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    # Ciphertext: the folder's UIDVALIDITY and the highest UID copied.
    position_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Plaintext: when the row last moved, so stale imports can be listed or purged.
    updated_at: Mapped[int] = mapped_column(BigInteger)
