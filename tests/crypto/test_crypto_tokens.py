"""crypto.tokens: session and challenge tokens."""

import base64
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.errors import FormatError
from crypto.tokens import (
    new_challenge_token,
    new_session_token,
    parse_challenge_token,
    parse_session_token,
)


def test_session_token_shape() -> None:
    token = new_session_token()
    assert token.token.startswith("sbs1_")
    assert len(token.token) == 5 + 64
    raw = base64.urlsafe_b64decode(token.token[5:])
    assert token.session_key.reveal() == raw[16:]
    assert token.id_hash == hashlib.sha256(b"sealbox/v1/session-id\x00" + raw[:16]).digest()
    assert new_session_token().token != token.token


def test_round_trips() -> None:
    for _ in range(50):
        session, challenge = new_session_token(), new_challenge_token()
        assert parse_session_token(session.token) == session
        assert parse_challenge_token(challenge.token) == challenge
        assert challenge.token.startswith("sbc1_")


def test_kinds_do_not_mix() -> None:
    session, challenge = new_session_token(), new_challenge_token()
    with pytest.raises(FormatError, match="not a challenge token"):
        parse_challenge_token(session.token)
    with pytest.raises(FormatError, match="not a session token"):
        parse_session_token(challenge.token)
    # Same id and key under the other prefix: still a different lookup hash.
    swapped = parse_challenge_token("sbc1_" + session.token[5:])
    assert swapped.id_hash != session.id_hash


def _malformed() -> list[str]:
    good = new_session_token().token
    return [
        "",
        "sbs1_",
        "sbs1",
        "SBS1_" + good[5:],
        "sbs2_" + good[5:],
        good[:-1],
        good + "A",
        good + "=",
        good[:-2] + "==",
        good[:-1] + "+",
        good[:-1] + "/",
        good[:-1] + "é",
        " " + good,
        good + "\n",
        good.replace("_", "", 1),
    ]


@pytest.mark.parametrize("text", _malformed())
def test_malformed_tokens_are_refused_without_echo(text: str) -> None:
    with pytest.raises(FormatError) as info:
        parse_session_token(text)
    body = text[5:]
    if len(body) > 8:
        assert body[:8] not in str(info.value)
        assert body[-8:] not in str(info.value)


def test_non_string_is_refused() -> None:
    with pytest.raises(FormatError):
        parse_session_token(b"sbs1_" + bytes(64))  # type: ignore[arg-type]


@given(st.text(max_size=100))
def test_parse_never_crashes(text: str) -> None:
    try:
        token = parse_session_token(text)
    except FormatError:
        return
    assert token.token == text
    assert len(token.session_key) == 32
