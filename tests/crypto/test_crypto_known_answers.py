"""Known-answer tests: published vectors for the primitives, pinned vectors for our formats.

The pinned hex values were computed once with this implementation (when the formats were
first written) and are repeated here so that any change to an on-disk or on-wire format,
a label, a normalisation step or a parameter fails loudly. Each pinned test also rebuilds
the value from raw primitives (argon2, hashlib, hmac, cryptography) to document exactly
how it is derived, which is what a browser or another implementation must reproduce.
"""

import base64
import hashlib
import hmac

from argon2 import low_level
from argon2.low_level import ARGON2_VERSION, Type, core, error_to_str, ffi, hash_secret_raw
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from crypto.aead import open_sealed
from crypto.codes import derive_code_keys
from crypto.kdf import DEFAULT_ARGON2, TEST_ARGON2, derive_password_keys, hkdf_sha256
from crypto.keypair import unwrap_private_key
from crypto.master_key import SUBKEY_PRIVATE_KEY, SUBKEY_SETTINGS, MasterKey
from crypto.sealing import open_data_key
from crypto.secret_value import SecretBytes, SecretStr
from crypto.slots import unwrap_master_key
from crypto.stream import decrypt_bytes
from crypto.tokens import parse_challenge_token, parse_session_token
from crypto.verifier import make_verifier

# The C library that core() drives; argon2-cffi re-exports it without declaring it.
lib = low_level.lib  # type: ignore[attr-defined]


def _argon2id_core(
    pwd: bytes, salt: bytes, secret: bytes, ad: bytes, t: int, m: int, p: int, n: int
) -> bytes:
    """Argon2id through argon2-cffi's raw ``core`` binding, which exposes secret and AD."""
    out = ffi.new("uint8_t[]", n)
    bufs = [ffi.new("uint8_t[]", v) if v else ffi.NULL for v in (pwd, salt, secret, ad)]
    ctx = ffi.new(
        "argon2_context *",
        {
            "out": out,
            "outlen": n,
            "pwd": bufs[0],
            "pwdlen": len(pwd),
            "salt": bufs[1],
            "saltlen": len(salt),
            "secret": bufs[2],
            "secretlen": len(secret),
            "ad": bufs[3],
            "adlen": len(ad),
            "t_cost": t,
            "m_cost": m,
            "lanes": p,
            "threads": p,
            "version": ARGON2_VERSION,
            "allocate_cbk": ffi.NULL,
            "free_cbk": ffi.NULL,
            "flags": lib.ARGON2_DEFAULT_FLAGS,
        },
    )
    rc = core(ctx, Type.ID.value)
    assert rc == lib.ARGON2_OK, error_to_str(rc)
    return bytes(ffi.buffer(out, n))


def test_argon2id_rfc9106_section_5_3() -> None:
    """RFC 9106 section 5.3. The vector uses a secret and associated data, which
    ``hash_secret_raw`` does not expose, so it runs through argon2-cffi's low-level
    ``core`` binding (the same C library); the next test ties ``core`` to
    ``hash_secret_raw``, the function ``crypto.kdf`` calls."""
    tag = _argon2id_core(b"\x01" * 32, b"\x02" * 16, b"\x03" * 8, b"\x04" * 12, 3, 32, 4, 32)
    assert tag.hex() == "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"


def test_hash_secret_raw_matches_core_without_secret_or_ad() -> None:
    expected = _argon2id_core(b"password", b"somesalt" * 2, b"", b"", 2, 64, 2, 32)
    assert hash_secret_raw(b"password", b"somesalt" * 2, 2, 64, 2, 32, Type.ID) == expected


def test_default_argon2_is_rfc9106_second_recommendation() -> None:
    """RFC 9106 section 4: t=3, p=4, m=64 MiB, 128-bit salt, 256-bit tag."""
    assert (DEFAULT_ARGON2.time_cost, DEFAULT_ARGON2.memory_kib, DEFAULT_ARGON2.parallelism) == (
        3,
        65536,
        4,
    )


def test_hkdf_rfc5869_test_case_1() -> None:
    okm = hkdf_sha256(
        bytes.fromhex("0b" * 22),
        bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"),
        length=42,
        salt=bytes.fromhex("000102030405060708090a0b0c"),
    )
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


def test_hkdf_empty_salt_equals_default_salt() -> None:
    """The browser passes an empty salt to WebCrypto; RFC 5869 defaults to 32 zeros."""
    assert hkdf_sha256(b"ikm", b"info", salt=b"") == hkdf_sha256(b"ikm", b"info")


def test_open_sealed_opens_a_hand_built_aes_gcm_blob() -> None:
    key, nonce = bytes(range(32)), bytes(range(100, 112))
    blob = b"\x01" + nonce + AESGCM(key).encrypt(nonce, b"hello", b"context")
    assert open_sealed(SecretBytes(key), blob, b"context") == b"hello"


def _hkdf_by_hand(ikm: bytes, info: bytes, salt: bytes = b"") -> bytes:
    """RFC 5869 for one 32-byte block: PRK = HMAC(salt, ikm); OKM = HMAC(PRK, info || 1)."""
    prk = hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def test_pinned_password_keys() -> None:
    """Argon2id(NFC password, salt 00..0f, t=1, m=8192, p=1, 32 bytes), then HKDF-SHA256
    with an empty salt and info "sealbox/v1/password/auth" / ".../kek"."""
    keys = derive_password_keys(
        SecretStr("correct horse battery staple"), bytes(range(16)), TEST_ARGON2
    )
    assert keys.auth_key.reveal().hex() == (
        "588299860175bec102f8108b45616d129a94c90c5de9f886b431231087b02e6f"
    )
    assert keys.kek.reveal().hex() == (
        "16787475ace19acac69db63002553293d720096be2ae5391af8dc6ffe1334630"
    )
    root = hash_secret_raw(
        b"correct horse battery staple", bytes(range(16)), 1, 8192, 1, 32, Type.ID
    )
    assert keys.auth_key.reveal() == _hkdf_by_hand(root, b"sealbox/v1/password/auth")
    assert keys.kek.reveal() == _hkdf_by_hand(root, b"sealbox/v1/password/kek")
    assert make_verifier(keys.auth_key).hex() == (
        "07ae9dd49ff8a98f928a6bd77de3fa7623769ee61bc4928db3c26ac591b1658a"
    )
    assert (
        make_verifier(keys.auth_key)
        == hashlib.sha256(b"sealbox/v1/verifier\x00" + keys.auth_key.reveal()).digest()
    )


def test_pinned_master_key_subkeys() -> None:
    """HKDF-SHA256(ikm=MK 00..1f, empty salt, info="sealbox/v1/subkey/" || label)."""
    mk = MasterKey(bytes(range(32)))
    assert mk.subkey(SUBKEY_PRIVATE_KEY).reveal().hex() == (
        "6755925d6fc08a5dc67845c9930208692893013eec68c762d030aedd2f140034"
    )
    assert mk.subkey(SUBKEY_SETTINGS).reveal().hex() == (
        "8af3cd7b2e40123bf0b3c0bb209f8a54d0eb30d63e95431b9d2f286544e61e32"
    )
    assert mk.subkey("settings").reveal() == _hkdf_by_hand(
        bytes(range(32)), b"sealbox/v1/subkey/settings"
    )


def test_pinned_code_keys() -> None:
    """HKDF-SHA256(ikm=normalized code, salt=16 zeros,
    info="sealbox/v1/code/app-password/verifier" / ".../kek")."""
    keys = derive_code_keys("ABCD-efgh-ijkl-mnop qrst-uvwx-yz23-4567", bytes(16), "app-password")
    assert keys.verifier.hex() == (
        "955e13e4539fce17532e105ff448fb8c6deb4e104b32ad848d5db5e5ea24bd9d"
    )
    assert keys.kek.reveal().hex() == (
        "05c0e0553630f8fb47a1af9c8b59cc6fe035251107880a3cf204a1ef4afe3ab2"
    )
    ikm = b"abcdefghijklmnopqrstuvwxyz234567"
    assert keys.verifier == _hkdf_by_hand(ikm, b"sealbox/v1/code/app-password/verifier", bytes(16))


def test_pinned_token_id_hashes() -> None:
    """Token = prefix || base64url(id 00..0f || key 10..2f);
    id_hash = SHA-256("sealbox/v1/session-id" or "challenge-id" || 0x00 || id)."""
    body = base64.urlsafe_b64encode(bytes(range(48))).decode()
    session = parse_session_token("sbs1_" + body)
    assert session.id_hash.hex() == (
        "33582c488aa6d8b39c55c9c8d511f8023f16afef20b524bb77945b4b7db3930e"
    )
    expected = hashlib.sha256(b"sealbox/v1/session-id\x00" + bytes(range(16))).digest()
    assert session.id_hash == expected
    assert session.session_key.reveal() == bytes(range(16, 48))
    challenge = parse_challenge_token("sbc1_" + body)
    assert challenge.id_hash.hex() == (
        "ae74f53113731d2105fdd3c1fe9fe921ba3c2d587c4a624517f5493f7f72c4b8"
    )


def test_slot_aad_format() -> None:
    """A slot is an aead blob whose AAD is "sealbox/v1/slot" 0x00 slot 0x00 account_id."""
    wrapping, mk, nonce = bytes(32), bytes(range(32)), bytes(12)
    aad = b"sealbox/v1/slot\x00app-password:7\x00acct-1"
    blob = b"\x01" + nonce + AESGCM(wrapping).encrypt(nonce, mk, aad)
    got = unwrap_master_key(SecretBytes(wrapping), blob, account_id="acct-1", slot="app-password:7")
    assert got.reveal() == mk


def test_private_key_wrap_format() -> None:
    """aead blob under MK's private-key subkey, AAD "sealbox/v1/private-key" 0x00 account."""
    mk, private, nonce = MasterKey(bytes(range(32))), bytes(range(1, 33)), bytes(12)
    key = mk.subkey(SUBKEY_PRIVATE_KEY).reveal()
    aad = b"sealbox/v1/private-key\x00acct-1"
    blob = b"\x01" + nonce + AESGCM(key).encrypt(nonce, private, aad)
    assert unwrap_private_key(mk, blob, account_id="acct-1").reveal() == private


def test_data_key_hpke_format() -> None:
    """0x01 || RFC 9180 base-mode output; info "sealbox/v1/data-key" 0x00 account 0x00 object."""
    suite = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
    private = X25519PrivateKey.from_private_bytes(bytes(range(32)))
    info = b"sealbox/v1/data-key\x00acct-1\x00blob-9"
    sealed = b"\x01" + suite.encrypt(bytes(range(32, 64)), private.public_key(), info=info)
    opened = open_data_key(
        SecretBytes(bytes(range(32))), sealed, account_id="acct-1", object_id="blob-9"
    )
    assert opened.reveal() == bytes(range(32, 64))
    assert len(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)) == 32


def test_stream_format_built_by_hand() -> None:
    """Header 01 || chunk size BE32 || prefix(7); chunk nonce prefix || index BE32 || last;
    each chunk's AD is header || aad. Chunk size 4, plaintext "abcdefghij" = 3 chunks."""
    key, prefix, aad = bytes(range(32)), bytes(range(7)), b"msg-1"
    header = b"\x01" + (4).to_bytes(4, "big") + prefix
    cipher = AESGCM(key)
    parts = [b"abcd", b"efgh", b"ij"]
    blob = header + b"".join(
        cipher.encrypt(prefix + i.to_bytes(4, "big") + bytes([i == 2]), part, header + aad)
        for i, part in enumerate(parts)
    )
    assert decrypt_bytes(SecretBytes(key), blob, aad) == b"abcdefghij"
