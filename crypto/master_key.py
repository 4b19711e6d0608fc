"""The account master key MK (256 random bits) and its HKDF-SHA256 subkeys (RFC 5869).

Each purpose gets its own subkey, ``HKDF(ikm=MK, salt=none, info="sealbox/v1/subkey/" ||
label)``, so a key used to seal settings can never open contacts or the private key.
"""

import secrets
from typing import Self

from crypto.kdf import hkdf_sha256
from crypto.secret_value import SecretBytes

__all__ = [
    "MASTER_KEY_SIZE",
    "SUBKEY_CONTACTS",
    "SUBKEY_IDENTITIES",
    "SUBKEY_IMPORTS",
    "SUBKEY_MAILBOX_NAMES",
    "SUBKEY_PRIVATE_KEY",
    "SUBKEY_SEARCH",
    "SUBKEY_SETTINGS",
    "SUBKEY_SUBMISSIONS",
    "SUBKEY_SUMMARIES",
    "SUBKEY_THREADING",
    "SUBKEY_VACATION",
    "MasterKey",
]

MASTER_KEY_SIZE = 32
SUBKEY_PRIVATE_KEY = "private-key"
SUBKEY_SETTINGS = "settings"
SUBKEY_CONTACTS = "contacts"
SUBKEY_SUMMARIES = "summaries"
SUBKEY_MAILBOX_NAMES = "mailbox-names"
SUBKEY_SEARCH = "search"
SUBKEY_THREADING = "threading"
SUBKEY_IDENTITIES = "identities"
SUBKEY_VACATION = "vacation"
SUBKEY_SUBMISSIONS = "submissions"
SUBKEY_IMPORTS = "imports"

_SUBKEY_INFO = b"sealbox/v1/subkey/"


class MasterKey(SecretBytes):
    """An account's 32-byte master key; a ``SecretBytes`` that can derive subkeys."""

    __slots__ = ()

    def __init__(self, value: bytes | bytearray | memoryview) -> None:
        super().__init__(value)
        if len(self) != MASTER_KEY_SIZE:
            raise ValueError(f"a master key is {MASTER_KEY_SIZE} bytes, got {len(self)}")

    @classmethod
    def generate(cls) -> Self:
        """Return a fresh random master key."""
        return cls(secrets.token_bytes(MASTER_KEY_SIZE))

    def subkey(self, label: str) -> SecretBytes:
        """Derive the 32-byte subkey for ``label`` (one of the ``SUBKEY_*`` constants)."""
        if not label or "\x00" in label:
            raise ValueError("a subkey label must be non-empty and free of NUL")
        return SecretBytes(hkdf_sha256(self.reveal(), _SUBKEY_INFO + label.encode("utf-8")))
