"""How a text condition's value is cut into groups (api.search.queries), as a table."""

from __future__ import annotations

import pytest

from api.search.queries import groups
from api.search.schema import analyzer

PLAIN = analyzer("")
ENGLISH = analyzer("english")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", []),
        ("  ", []),
        ("Invoice", [(["invoice"], True)]),
        ("Café Zürich", [(["cafe"], False), (["zurich"], True)]),
        ('"pay the bill"', [(["pay", "the", "bill"], False)]),
        ('"pay the bill" tod', [(["pay", "the", "bill"], False), (["tod"], True)]),
        ("e-mail", [(["e", "mail"], True)]),
        ('"unclosed phrase', [(["unclosed", "phrase"], False)]),
        ("!!! ???", []),
        ("STRASSE straße", [(["strasse"], False), (["strasse"], True)]),
    ],
)
def test_groups(value: str, expected: list[tuple[list[str], bool]]) -> None:
    assert groups(value, PLAIN) == expected


def test_groups_are_stemmed_with_the_accounts_language() -> None:
    assert groups("running meetings", ENGLISH) == [(["run"], False), (["meet"], True)]
