"""crypto.totp: RFC 6238 codes with a +-1 step window and replay refusal."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from crypto.secret_value import SecretStr
from crypto.totp import current_code, new_totp_secret, totp_uri, verify_totp

SECRET = SecretStr("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
NOW = datetime(2030, 1, 1, 12, 0, 15, tzinfo=UTC)
STEP = int(NOW.timestamp()) // 30


def test_rfc6238_appendix_b_sha1_vector() -> None:
    """RFC 6238 appendix B, T = 59 s, SHA-1 key "12345678901234567890": 94287082 (8 digits);
    our 6-digit code is its last six digits."""
    # base32("12345678901234567890")
    rfc_secret = SecretStr("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    assert current_code(rfc_secret, datetime.fromtimestamp(59, UTC)) == "287082"


def test_new_secret_is_160_bit_base32() -> None:
    secret = new_totp_secret()
    assert len(secret.reveal()) == 32
    assert set(secret.reveal()) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert new_totp_secret() != secret


def test_provisioning_uri() -> None:
    uri = urlparse(totp_uri(SECRET, account="alice@example.org"))
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert uri.path == "/Sealbox:alice%40example.org"
    query = parse_qs(uri.query)
    assert query["secret"] == [SECRET.reveal()]
    assert query["issuer"] == ["Sealbox"]


def test_correct_code_returns_its_step() -> None:
    assert verify_totp(SECRET, current_code(SECRET, NOW), last_used_step=None, at=NOW) == STEP


@pytest.mark.parametrize("offset", [-1, 1])
def test_one_step_either_side_is_accepted(offset: int) -> None:
    code = current_code(SECRET, NOW + timedelta(seconds=30 * offset))
    assert verify_totp(SECRET, code, last_used_step=None, at=NOW) == STEP + offset


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_codes_outside_the_window_are_refused(offset: int) -> None:
    code = current_code(SECRET, NOW + timedelta(seconds=30 * offset))
    assert verify_totp(SECRET, code, last_used_step=None, at=NOW) is None


def test_replay_of_the_same_or_an_earlier_step_is_refused() -> None:
    code = current_code(SECRET, NOW)
    step = verify_totp(SECRET, code, last_used_step=None, at=NOW)
    assert step == STEP
    assert verify_totp(SECRET, code, last_used_step=step, at=NOW) is None
    earlier = current_code(SECRET, NOW - timedelta(seconds=30))
    assert verify_totp(SECRET, earlier, last_used_step=step, at=NOW) is None
    later = current_code(SECRET, NOW + timedelta(seconds=30))
    assert verify_totp(SECRET, later, last_used_step=step, at=NOW) == STEP + 1


def test_codes_with_spaces_are_accepted() -> None:
    code = current_code(SECRET, NOW)
    spaced = f" {code[:3]} {code[3:]} "
    assert verify_totp(SECRET, spaced, last_used_step=None, at=NOW) == STEP


def _garbage() -> list[str]:
    code = current_code(SECRET, NOW)
    fullwidth = "".join(chr(ord(c) - ord("0") + 0xFF10) for c in code)
    return [
        "",
        "abcdef",
        code[:5],
        code + "0",
        "0" + code,
        f"{code[:3]}-{code[3:]}",
        fullwidth,
        "12345a",
        "-12345",
    ]


@pytest.mark.parametrize("code", _garbage())
def test_garbage_is_refused(code: str) -> None:
    assert verify_totp(SECRET, code, last_used_step=None, at=NOW) is None


def test_wrong_secret_is_refused() -> None:
    other = SecretStr("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    code = current_code(other, NOW)
    assert code not in {current_code(SECRET, NOW + timedelta(seconds=30 * d)) for d in (-1, 0, 1)}
    assert verify_totp(SECRET, code, last_used_step=None, at=NOW) is None


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_totp(SECRET, "123456", last_used_step=None, at=datetime(2030, 1, 1))


def test_default_time_is_now() -> None:
    assert verify_totp(SECRET, current_code(SECRET), last_used_step=None) is not None
