"""Each account's X25519 key pair (RFC 7748); the private half is stored wrapped under MK.

Delivery seals to the public key without any user secret; only an unlocked MK can open
the private key, through the ``private-key`` subkey and an AAD naming the account.
"""

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from crypto.aead import open_sealed, seal
from crypto.errors import FormatError
from crypto.labels import bind
from crypto.master_key import SUBKEY_PRIVATE_KEY, MasterKey
from crypto.secret_value import SecretBytes

__all__ = [
    "X25519_KEY_SIZE",
    "AccountKeyPair",
    "generate_keypair",
    "keypair_from_seed",
    "unwrap_private_key",
    "wrap_private_key",
]

X25519_KEY_SIZE = 32
_PRIVATE_KEY_LABEL = b"sealbox/v1/private-key"


@dataclass(frozen=True, repr=False)
class AccountKeyPair:
    """Raw 32-byte X25519 keys; the public key is not secret and shows in the repr."""

    public_key: bytes
    private_key: SecretBytes

    def __post_init__(self) -> None:
        if len(self.public_key) != X25519_KEY_SIZE or len(self.private_key) != X25519_KEY_SIZE:
            raise ValueError(f"X25519 keys are {X25519_KEY_SIZE} bytes")

    def __repr__(self) -> str:
        return f"AccountKeyPair(public_key={self.public_key.hex()}, private_key=<redacted>)"

    __str__ = __repr__


def generate_keypair() -> AccountKeyPair:
    """Return a fresh X25519 key pair."""
    private = X25519PrivateKey.generate()
    return AccountKeyPair(
        public_key=private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
        private_key=SecretBytes(
            private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        ),
    )


def keypair_from_seed(seed: SecretBytes) -> AccountKeyPair:
    """The X25519 key pair whose private key is ``seed`` (32 bytes from a KDF; RFC 7748
    clamps any 32 bytes into a valid scalar), for installation keys derived, not stored."""
    if len(seed) != X25519_KEY_SIZE:
        raise ValueError(f"an X25519 seed is {X25519_KEY_SIZE} bytes")
    private = X25519PrivateKey.from_private_bytes(seed.reveal())
    return AccountKeyPair(
        public_key=private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
        private_key=seed,
    )


def wrap_private_key(master_key: MasterKey, private_key: SecretBytes, *, account_id: str) -> bytes:
    """Seal the private key under MK's ``private-key`` subkey, bound to the account."""
    if len(private_key) != X25519_KEY_SIZE:
        raise ValueError(f"X25519 private keys are {X25519_KEY_SIZE} bytes")
    key = master_key.subkey(SUBKEY_PRIVATE_KEY)
    return seal(key, private_key.reveal(), bind(_PRIVATE_KEY_LABEL, account_id))


def unwrap_private_key(master_key: MasterKey, wrapped: bytes, *, account_id: str) -> SecretBytes:
    """Open a wrapped private key; DecryptionError if MK or the account does not match."""
    key = master_key.subkey(SUBKEY_PRIVATE_KEY)
    plaintext = open_sealed(key, wrapped, bind(_PRIVATE_KEY_LABEL, account_id))
    if len(plaintext) != X25519_KEY_SIZE:
        raise FormatError("wrapped value is not an X25519 private key")
    return SecretBytes(plaintext)
