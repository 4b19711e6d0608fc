"""Email/set PatchObjects (RFC 8621 4.6, RFC 8620 5.3) to domain changes: a table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from api.core.email_batch import SetChange
from api.jmap.email_patch import EmailUpdate, PatchError, parse_update


def _resolve(value: str) -> str:
    return {"#new": "mnew"}.get(value, value)


def _change(
    replace: Iterable[str] | None = None, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> SetChange:
    return SetChange(
        replace=None if replace is None else frozenset(replace),
        add=frozenset(add),
        remove=frozenset(remove),
    )


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({}, EmailUpdate()),
        ({"keywords/$seen": True}, EmailUpdate(keywords=_change(add={"$seen"}))),
        ({"keywords/$seen": None}, EmailUpdate(keywords=_change(remove={"$seen"}))),
        # RFC 6901 escapes: ~1 is "/", ~0 is "~".
        ({"keywords/a~1b~0c": True}, EmailUpdate(keywords=_change(add={"a/b~c"}))),
        ({"keywords": {"a": True}}, EmailUpdate(keywords=_change(replace={"a"}))),
        ({"mailboxIds/#new": True}, EmailUpdate(mailboxes=_change(add={"mnew"}))),
        (
            {"mailboxIds": {"#new": True, "m1": True}},
            EmailUpdate(mailboxes=_change(replace={"mnew", "m1"})),
        ),
        (
            {"mailboxIds/m1": None, "mailboxIds/m2": True, "keywords/$seen": True},
            EmailUpdate(
                keywords=_change(add={"$seen"}), mailboxes=_change(add={"m2"}, remove={"m1"})
            ),
        ),
    ],
)
def test_valid_patches(patch: dict[str, Any], expected: EmailUpdate) -> None:
    assert parse_update(patch, _resolve) == expected


@pytest.mark.parametrize(
    ("patch", "kind", "properties"),
    [
        ({"subject": "x"}, "invalidProperties", ["subject"]),
        ({"id": "e1", "blobId": "b1"}, "invalidProperties", ["blobId", "id"]),
        ({"header:Subject": "x"}, "invalidProperties", ["header:Subject"]),
        ({"keywords": None}, "invalidProperties", ["keywords"]),
        ({"keywords": ["$seen"]}, "invalidProperties", ["keywords"]),
        ({"mailboxIds": {"m1": False}}, "invalidProperties", ["mailboxIds"]),
        ({"mailboxIds/m1": "yes"}, "invalidProperties", ["mailboxIds/m1"]),
        ({"keywords/": True}, "invalidPatch", ["keywords/"]),
        ({"mailboxIds/m1/x": True}, "invalidPatch", ["mailboxIds/m1/x"]),
        ({"mailboxIds": {}, "mailboxIds/m1": True}, "invalidPatch", ["mailboxIds"]),
    ],
)
def test_refused_patches(patch: dict[str, Any], kind: str, properties: list[str]) -> None:
    with pytest.raises(PatchError) as refused:
        parse_update(patch, _resolve)
    assert (refused.value.error["type"], refused.value.error["properties"]) == (kind, properties)
