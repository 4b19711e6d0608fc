"""Key slots: MK wrapped with AES-256-GCM under one unlocking secret (DESIGN "Keys").

The AAD ``"sealbox/v1/slot" || 0x00 || slot || 0x00 || account_id`` binds each slot to its
kind and account, so a slot copied to another account or relabelled (an app-password slot
presented as the password slot) fails to open.
"""

from crypto.aead import open_sealed, seal
from crypto.errors import FormatError
from crypto.labels import bind
from crypto.master_key import MASTER_KEY_SIZE, MasterKey
from crypto.secret_value import SecretBytes

__all__ = ["slot_aad", "unwrap_master_key", "wrap_master_key"]

_SLOT_LABEL = b"sealbox/v1/slot"


def slot_aad(*, account_id: str, slot: str) -> bytes:
    """Return the AAD of a slot, e.g. ``slot="app-password:<id>"``."""
    return bind(_SLOT_LABEL, slot, account_id)


def wrap_master_key(
    wrapping_key: SecretBytes, master_key: MasterKey, *, account_id: str, slot: str
) -> bytes:
    """Seal MK under ``wrapping_key`` for one slot of one account."""
    return seal(wrapping_key, master_key.reveal(), slot_aad(account_id=account_id, slot=slot))


def unwrap_master_key(
    wrapping_key: SecretBytes, wrapped: bytes, *, account_id: str, slot: str
) -> MasterKey:
    """Open a slot; DecryptionError if the key, account or slot name does not match."""
    plaintext = open_sealed(wrapping_key, wrapped, slot_aad(account_id=account_id, slot=slot))
    if len(plaintext) != MASTER_KEY_SIZE:
        raise FormatError("slot does not hold a master key")
    return MasterKey(plaintext)
