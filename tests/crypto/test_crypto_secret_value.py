"""SecretBytes / SecretStr behaviour, and redaction of every secret-holding object."""

import base64
import copy
import pickle

import pytest

from crypto.codes import derive_code_keys, generate_code
from crypto.kdf import TEST_ARGON2, derive_password_keys, new_salt
from crypto.keypair import generate_keypair
from crypto.master_key import MasterKey
from crypto.secret_value import SecretBytes, SecretStr
from crypto.tokens import new_challenge_token, new_session_token
from crypto.totp import new_totp_secret


def _encodings(secret: bytes) -> list[str]:
    """Every form in which key bytes could plausibly leak into text."""
    return [
        secret.hex(),
        secret.hex().upper(),
        repr(secret)[2:-1],
        base64.b64encode(secret).decode().rstrip("="),
        base64.urlsafe_b64encode(secret).decode().rstrip("="),
    ]


def _renderings(obj: object) -> list[str]:
    return [repr(obj), str(obj), f"{obj}", f"{obj!r}", "%s" % (obj,)]  # noqa: UP031


def _assert_hidden(obj: object, secrets: list[bytes], texts: tuple[str, ...] = ()) -> None:
    for text in _renderings(obj):
        for secret in secrets:
            for form in _encodings(secret):
                assert form not in text
        for secret_text in texts:
            assert secret_text not in text


def test_secret_bytes_basics() -> None:
    secret = SecretBytes(b"k" * 32)
    assert secret.reveal() == b"k" * 32
    assert len(secret) == 32
    assert repr(secret) == str(secret) == "SecretBytes(<redacted, 32 bytes>)"
    assert secret == SecretBytes(bytearray(b"k" * 32))
    assert secret != SecretBytes(b"j" * 32)
    assert secret != SecretBytes(b"k" * 31)
    assert secret != b"k" * 32


def test_secret_bytes_is_immutable_unhashable_and_copies_share() -> None:
    secret = SecretBytes(b"abc")
    with pytest.raises(AttributeError):
        secret._value = b"x"
    with pytest.raises(TypeError):
        hash(secret)
    with pytest.raises(TypeError):
        {secret}  # noqa: B018
    assert copy.copy(secret) is secret
    assert copy.deepcopy(secret) is secret


def test_secret_bytes_copies_mutable_input() -> None:
    source = bytearray(b"abc")
    secret = SecretBytes(source)
    source[0] = 0
    assert secret.reveal() == b"abc"


def test_secret_bytes_refuses_non_bytes() -> None:
    with pytest.raises(TypeError):
        SecretBytes("text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        SecretBytes(32)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "obj", [SecretBytes(b"k" * 32), MasterKey.generate(), SecretStr("hunter2")], ids=repr
)
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_secrets_cannot_be_pickled(obj: object, protocol: int) -> None:
    with pytest.raises(TypeError, match="must not be pickled"):
        pickle.dumps(obj, protocol=protocol)


def test_secret_str_basics() -> None:
    secret = SecretStr("hunter2")
    assert secret.reveal() == "hunter2"
    assert repr(secret) == str(secret) == "SecretStr(<redacted>)"
    assert secret == SecretStr("hunter2")
    assert secret != SecretStr("hunter3")
    assert secret != "hunter2"
    with pytest.raises(TypeError):
        hash(secret)
    with pytest.raises(AttributeError):
        secret._value = "x"
    with pytest.raises(TypeError):
        SecretStr(b"bytes")  # type: ignore[arg-type]


def test_password_is_redacted() -> None:
    _assert_hidden(SecretStr("correct horse battery staple"), [], ("correct horse",))


def test_key_objects_are_redacted() -> None:
    key = SecretBytes(bytes(range(32)))
    _assert_hidden(key, [key.reveal()])
    mk = MasterKey.generate()
    _assert_hidden(mk, [mk.reveal()])
    assert repr(mk) == "MasterKey(<redacted, 32 bytes>)"


def test_password_keys_are_redacted() -> None:
    keys = derive_password_keys("pw", new_salt(), TEST_ARGON2)
    _assert_hidden(keys, [keys.auth_key.reveal(), keys.kek.reveal()])


def test_code_keys_are_redacted() -> None:
    code = generate_code()
    keys = derive_code_keys(code, new_salt(), "recovery")
    _assert_hidden(keys, [keys.kek.reveal(), keys.verifier], (code, code.replace("-", "")))


def test_keypair_is_redacted() -> None:
    pair = generate_keypair()
    _assert_hidden(pair, [pair.private_key.reveal()])
    assert pair.public_key.hex() in repr(pair)


@pytest.mark.parametrize("make", [new_session_token, new_challenge_token])
def test_tokens_are_redacted(make: object) -> None:
    token = make()  # type: ignore[operator]
    raw = base64.urlsafe_b64decode(token.token[5:])
    _assert_hidden(token, [raw, raw[:16], token.session_key.reveal()], (token.token[5:],))


def test_totp_secret_is_redacted() -> None:
    secret = new_totp_secret()
    _assert_hidden(secret, [], (secret.reveal(),))
