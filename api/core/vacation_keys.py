"""The installation keys behind the vacation auto-reply (RFC 8621 8, RFC 3834 2).

Both come by HKDF from the instance secret "vacation-delivery", which every node reads
from the database: one seals the delivery copy of an enabled vacation text, the other
keys the HMAC that names a sender in the reply log. Neither is a user key: whoever has
the database can derive them (SECURITY.md).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from api.store.unit_of_work import Transaction
from crypto.aead import open_sealed, seal
from crypto.kdf import hkdf_sha256
from crypto.labels import bind
from crypto.secret_value import SecretBytes

__all__ = ["DELIVERY_KEY_SOURCE", "DeliveryKeys", "delivery_keys"]

# The name of the row in instance_secrets, not a secret itself.
DELIVERY_KEY_SOURCE = "vacation-delivery"


@dataclass(frozen=True, repr=False)
class DeliveryKeys:
    seal_key: SecretBytes
    sender_key: SecretBytes

    def __repr__(self) -> str:
        return "DeliveryKeys(<redacted>)"

    def seal(self, account_id: str, plaintext: bytes) -> bytes:
        return seal(self.seal_key, plaintext, bind(b"sealbox/v1/vacation-delivery", account_id))

    def open(self, account_id: str, blob: bytes) -> bytes:
        aad = bind(b"sealbox/v1/vacation-delivery", account_id)
        return open_sealed(self.seal_key, blob, aad)

    def sender(self, account_id: str, sender: str) -> bytes:
        """The reply log's name for `sender`: keyed, per account, case-insensitive."""
        message = bind(b"sealbox/v1/vacation-sender", account_id, sender.strip().lower())
        return hmac.new(self.sender_key.reveal(), message, hashlib.sha256).digest()


async def delivery_keys(tx: Transaction) -> DeliveryKeys:
    secret = await tx.throttle.instance_secret(DELIVERY_KEY_SOURCE)
    return DeliveryKeys(
        seal_key=SecretBytes(hkdf_sha256(secret, b"sealbox/v1/vacation-delivery/seal")),
        sender_key=SecretBytes(hkdf_sha256(secret, b"sealbox/v1/vacation-delivery/sender")),
    )
