"""The ``dkim_keys`` table: each hosted domain's DKIM signing key (RFC 6376 3.6.1).

The selector, algorithm and public key are published in DNS anyway, so they are
plaintext; the private key is sealed under an installation key (api.delivery.dkim_keys),
since the queue signs without any user key.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models import Base

__all__ = ["DkimKeyRow"]


class DkimKeyRow(Base):
    __tablename__ = "dkim_keys"

    # Plaintext: the signing domain (d=), public in every signature.
    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    # Plaintext: s= and a=, public in every signature and in DNS.
    selector: Mapped[str] = mapped_column(String(63))
    algorithm: Mapped[str] = mapped_column(String(32))
    # Plaintext: the p= value published in DNS.
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # Ciphertext: the PEM private key, AES-256-GCM under the installation DKIM key.
    private_key_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[int] = mapped_column(BigInteger)
