"""The plain-address fast path answers exactly what the stdlib parser would."""

from __future__ import annotations

import random

import pytest

from api.mime import addresses

PIECES = [
    "a", "b.c", "x-y", "A", "9", "é", ".", "..", "@", "<", ">", " ", "\t", ",", '"', "(",
    ")", "John", "Smith", "=?utf-8?q?x?=", "=", "?", "good.test", "-", "_", "'", "+", "[",
    "]", ":", ";", "\\", "`", "{", "}", "~", "#", "!", "%", "&", "*", "/", "|", "^", "$",
]  # fmt: skip


def _stdlib(monkeypatch: pytest.MonkeyPatch, text: str) -> object:
    with monkeypatch.context() as patched:
        patched.setattr(addresses, "_simple_mailboxes", lambda _text: None)
        return addresses._parse_groups(text)


@pytest.mark.parametrize(
    "text",
    [
        "a@good.test",
        "John Smith <a@good.test>",
        " John  Smith\t<a.b@c.d> ",
        "a@good.test, b@x.y",
        "A <a@b>,B <b@c>",
        "<a@b>",
        "=?utf-8?q?x?=@good.test",
        "a..b@c",
        ".a@b",
        '"quoted"@x',
        "a@b (comment)",
    ],
)
def test_examples(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    assert addresses._parse_groups(text) == _stdlib(monkeypatch, text)


def test_random_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = random.Random(5322)
    fast = 0
    for _ in range(20_000):
        text = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 9)))
        if rnd.random() < 0.3:
            text = rnd.choice(["", "Name ", "John Smith ", "A  B\t"]) + "<" + text + ">"
        if rnd.random() < 0.3:
            text += "@" + rnd.choice(["good.test", "x", "a-b.c", "x..y", ".x", "x."])
        fast += addresses._simple_mailboxes(text) is not None
        assert addresses._parse_groups(text) == _stdlib(monkeypatch, text), text
    assert fast > 200  # the fast path was taken, not only skipped
