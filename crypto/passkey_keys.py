"""The key a passkey's WebAuthn PRF output gives, to wrap MK in that passkey's slot.

WebAuthn L3 `prf` extension (CTAP2 hmac-secret): the authenticator returns
HMAC(credential secret, SHA-256("WebAuthn PRF" || 0x00 || salt)). The salt is one fixed
value for all of Sealbox, because a discoverable sign-in does not know the credential
in advance and `evalByCredential` requires `allowCredentials`; the output still differs
per credential, and HKDF binds the derived key to the account and the credential.
"""

from crypto.errors import FormatError
from crypto.kdf import hkdf_sha256
from crypto.labels import bind
from crypto.secret_value import SecretBytes

__all__ = ["PRF_OUTPUT_SIZE", "PRF_SALT", "passkey_slot_name", "passkey_wrapping_key"]

# The `eval.first` input the browser hands the authenticator (public by design).
PRF_SALT = b"sealbox/v1/passkey-prf-salt\x00unlock".ljust(32, b"\x00")
PRF_OUTPUT_SIZE = 32
_LABEL = b"sealbox/v1/passkey-kek"


def passkey_slot_name(credential_id: str) -> str:
    """The slot name bound into the AAD: ``passkey:<base64url credential id>``."""
    return f"passkey:{credential_id}"


def passkey_wrapping_key(prf_output: bytes, *, account_id: str, credential_id: str) -> SecretBytes:
    """HKDF-SHA256 over the PRF output; FormatError unless it is 32 bytes."""
    if len(prf_output) != PRF_OUTPUT_SIZE:
        raise FormatError("a PRF output is 32 bytes")
    return SecretBytes(hkdf_sha256(prf_output, bind(_LABEL, account_id, credential_id)))
