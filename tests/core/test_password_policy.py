"""The password rule: long enough, not too long, and not guessable (zxcvbn score >= 3)."""

from __future__ import annotations

import secrets
import string

import pytest

from api.core.errors import WeakPasswordError
from api.core.password_policy import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, check_new_password

ADDRESS = "qzvtrmwx@example.org"


def _random_password(length: int) -> str:
    alphabet = string.ascii_letters + string.digits + string.punctuation
    return "".join(secrets.choice(alphabet) for _ in range(length))


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!Ab", f"at least {MIN_PASSWORD_LENGTH} characters"),
        ("", f"at least {MIN_PASSWORD_LENGTH} characters"),
        ("password1234", "very common password"),
        ("qwertyuiop[]", "Straight rows of keys"),
        ("zxcvbnm,./asdfgh", "Straight rows of keys"),
        ("1qaz2wsx3edc4rfv", "common password"),
        ("aaaaaaaaaaaaaaaa", "Repeats like"),
        # Whoever knows the address knows its local part; zxcvbn alone let these pass.
        ("qzvtrmwx2024!", "before @"),
        ("Qzvtrmwx@example", "before @"),
        ("tidal-QZVTRMWX-harbor", "before @"),
        (_random_password(MAX_PASSWORD_LENGTH + 1), f"at most {MAX_PASSWORD_LENGTH}"),
    ],
    ids=[
        "too-short",
        "empty",
        "common",
        "keyboard-row",
        "keyboard-rows",
        "keyboard-walk",
        "repeated",
        "local-part",
        "address",
        "local-part-inside",
        "too-long",
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    with pytest.raises(WeakPasswordError) as refused:
        check_new_password(password, address=ADDRESS)
    assert reason in refused.value.message
    # The reason is for a person; it never echoes the password back.
    if len(password) >= 4:
        assert password not in refused.value.message


@pytest.mark.parametrize(
    "password",
    [
        "m8#Rt2!vQz&Lp4Wx",
        "lantern orbit velvet cactus",
        "Granit-Sonnenuhr-Wolke-Tinte",
        _random_password(64),
        # Only the first characters are scored; the length limit is on the whole.
        _random_password(MAX_PASSWORD_LENGTH),
    ],
    ids=["random-16", "passphrase", "passphrase-dashes", "random-64", "max-length"],
)
def test_strong_passwords_are_accepted(password: str) -> None:
    check_new_password(password, address=ADDRESS)


@pytest.mark.parametrize(
    ("password", "address"),
    [
        # The same passwords as above are fine for someone else.
        ("qzvtrmwx2024!", "alice@example.org"),
        ("tidal-QZVTRMWX-harbor", "alice@example.org"),
        # A local part of one or two letters inside a password is a coincidence.
        ("bolster lantern orbit", "bo@example.org"),
    ],
)
def test_local_part_counts_only_for_its_own_address(password: str, address: str) -> None:
    check_new_password(password, address=address)


def test_guessable_start_is_caught_even_in_a_long_password() -> None:
    # zxcvbn sees only the first 72 characters; a long tail must not hide a weak password
    # by itself, but a weak start plus real entropy after it is legitimately strong.
    check_new_password("password1234" + _random_password(80), address=ADDRESS)
    with pytest.raises(WeakPasswordError):
        check_new_password("password1234" * 8, address=ADDRESS)
