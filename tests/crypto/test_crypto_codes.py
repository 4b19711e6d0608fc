"""crypto.codes: typed codes, their normalisation and their keys."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.codes import (
    ALPHABET,
    check_code_verifier,
    derive_code_keys,
    generate_code,
    normalize_code,
)
from crypto.errors import FormatError

SALT = bytes(range(16))
compact_codes = st.integers(8, 16).flatmap(
    lambda groups: st.text(alphabet=ALPHABET, min_size=groups * 4, max_size=groups * 4)
)


def test_generated_code_shape() -> None:
    code = generate_code()
    assert re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){7}", code)
    assert len(code.replace("-", "")) * 5 == 160
    assert generate_code() != code
    assert len(generate_code(16).split("-")) == 16


@pytest.mark.parametrize("groups", [0, 7, 17])
def test_code_sizes_below_144_bits_are_refused(groups: int) -> None:
    with pytest.raises(ValueError):
        generate_code(groups)


@given(compact_codes, st.data())
def test_normalisation_undoes_typing_habits(compact: str, data: st.DataObject) -> None:
    typed = "".join(
        data.draw(st.sampled_from([ch, ch.upper()])) + data.draw(st.sampled_from(["", "-", " "]))
        for ch in compact
    )
    assert normalize_code(" " + typed + "\n") == compact


@given(st.text(max_size=80))
def test_normalisation_never_accepts_garbage(text: str) -> None:
    try:
        compact = normalize_code(text)
    except FormatError:
        return
    assert set(compact) <= set(ALPHABET)
    assert len(compact) % 4 == 0
    assert 32 <= len(compact) <= 64


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abcd-efgh",  # too short
        "a" * 31,
        "a" * 33,
        "a" * 68,
        "abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4560",  # 0 is not base32
        "abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-456!",
        "ａbcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4567",  # noqa: RUF001  full-width a
    ],
)
def test_malformed_codes_are_refused_without_echo(text: str) -> None:
    with pytest.raises(FormatError) as info:
        normalize_code(text)
    if text:
        assert text not in str(info.value)
        assert text[-4:] not in str(info.value)


def test_code_keys_check() -> None:
    code = generate_code()
    stored = derive_code_keys(code, SALT, "app-password").verifier
    again = derive_code_keys(code.upper().replace("-", " "), SALT, "app-password")
    assert check_code_verifier(again, stored)
    assert again.kek == derive_code_keys(code, SALT, "app-password").kek
    assert not check_code_verifier(derive_code_keys(generate_code(), SALT, "app-password"), stored)
    assert not check_code_verifier(again, stored[:-1])


def test_code_keys_are_separated_by_purpose_salt_and_role() -> None:
    code = generate_code()
    keys = derive_code_keys(code, SALT, "app-password")
    assert keys.verifier != keys.kek.reveal()
    assert derive_code_keys(code, SALT, "recovery").kek != keys.kek
    assert derive_code_keys(code, bytes(16), "app-password").kek != keys.kek
    with pytest.raises(ValueError):
        derive_code_keys(code, SALT, "")


def test_derive_refuses_malformed_code() -> None:
    with pytest.raises(FormatError):
        derive_code_keys("hunter2", SALT, "app-password")
