"""Result references (RFC 8620 3.7) and the JSON Pointer they use (RFC 6901 + `*`)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from api.jmap.errors import InvalidArgumentsError, InvalidResultReferenceError
from api.jmap.references import PointerError, evaluate_pointer, resolve_references

# RFC 6901 section 5's example document, plus arrays for the JMAP `*` extension.
DOC: dict[str, Any] = {
    "foo": ["bar", "baz"],
    "": 0,
    "a/b": 1,
    "c%d": 2,
    "e^f": 3,
    "g|h": 4,
    "i\\j": 5,
    'k"l': 6,
    " ": 7,
    "m~n": 8,
    "~1": 9,
    "list": [{"id": "a", "ids": ["1", "2"]}, {"id": "b", "ids": ["3"]}, {"id": "c", "ids": []}],
    "nested": [[1, 2], [3]],
    "added": [{"id": "x", "index": 0}],
    "empty": [],
}

POINTERS = [
    ("", DOC),
    ("/foo", ["bar", "baz"]),
    ("/foo/0", "bar"),
    ("/foo/1", "baz"),
    ("/", 0),
    ("/a~1b", 1),
    ("/c%d", 2),
    ("/e^f", 3),
    ("/g|h", 4),
    ("/i\\j", 5),
    ('/k"l', 6),
    ("/ ", 7),
    ("/m~0n", 8),
    # ~01 is "~1" (undo ~1 first, then ~0), not "~/" or "/".
    ("/~01", 9),
    ("/list/*/id", ["a", "b", "c"]),
    ("/list/1/id", "b"),
    # `*` flattens arrays that the rest of the path yields, one level.
    ("/list/*/ids", ["1", "2", "3"]),
    ("/list/*/ids/*", ["1", "2", "3"]),
    ("/nested/*", [1, 2, 3]),
    ("/added/*/id", ["x"]),
    ("/empty/*", []),
    ("/empty/*/id", []),
    ("/list/*", DOC["list"]),
]

BAD_POINTERS = [
    "foo",  # must start with "/"
    "/missing",
    "/foo/2",  # past the end
    "/foo/-",  # "-" names the element after the last
    "/foo/01",  # leading zero
    "/foo/-1",
    "/foo/x",
    "/foo/ 1",
    "/foo/\u0661",  # a non-ASCII digit
    "/foo/0/x",  # cannot descend into a string
    "/m~2n",  # bad escape
    "/m~",  # dangling escape
    "/list/*/missing",  # `*` needs every item to have the member
    "/list/*/id/0",
    "/e^f/0",
]


@pytest.mark.parametrize(("pointer", "expected"), POINTERS)
def test_pointer_evaluates(pointer: str, expected: Any) -> None:
    assert evaluate_pointer(DOC, pointer) == expected


@pytest.mark.parametrize("pointer", BAD_POINTERS)
def test_bad_pointer_is_refused(pointer: str) -> None:
    with pytest.raises(PointerError):
        evaluate_pointer(DOC, pointer)


def test_star_on_an_object_is_a_member_name() -> None:
    assert evaluate_pointer({"*": 1}, "/*") == 1


class Listed(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    account_id: str
    ids: list[str]


RESPONSES: list[tuple[str, Any, str]] = [
    ("Foo/query", {"ids": ["f1", "f2"], "position": 0}, "q"),
    ("error", {"type": "serverFail"}, "broken"),
    # Structs (what handlers return) are read as their JSON form.
    ("Foo/changes", Listed(account_id="a1", ids=["f3"]), "c"),
    # A repeated call id: the first response with it is the one referred to.
    ("Foo/get", {"list": []}, "dup"),
    ("Foo/set", {"created": {}}, "dup"),
]


def _ref(result_of: str, name: str, path: str) -> dict[str, str]:
    return {"resultOf": result_of, "name": name, "path": path}


RESOLVED = [
    ({"#ids": _ref("q", "Foo/query", "/ids")}, {"ids": ["f1", "f2"]}),
    ({"#ids": _ref("c", "Foo/changes", "/ids")}, {"ids": ["f3"]}),
    ({"#acc": _ref("c", "Foo/changes", "/accountId")}, {"acc": "a1"}),
    ({"#list": _ref("dup", "Foo/get", "/list")}, {"list": []}),
    (
        {"accountId": "a1", "#ids": _ref("q", "Foo/query", "/ids"), "x": 1},
        {"accountId": "a1", "ids": ["f1", "f2"], "x": 1},
    ),
    # Keys without "#" pass through untouched, references in values are not looked at.
    ({"ids": {"#x": 1}}, {"ids": {"#x": 1}}),
    ({}, {}),
]

INVALID_REFERENCE = [
    {"#ids": _ref("nope", "Foo/query", "/ids")},  # no such call id
    {"#ids": _ref("q", "Foo/get", "/ids")},  # call id found, name differs
    {"#ids": _ref("broken", "Foo/get", "/ids")},  # an error response
    {"#ids": _ref("dup", "Foo/set", "/created")},  # only the first "dup" counts
    {"#ids": _ref("q", "Foo/query", "/missing")},  # path leads nowhere
    {"#ids": _ref("q", "Foo/query", "ids")},  # malformed pointer
    {"#ids": "not an object"},
    {"#ids": {"resultOf": "q", "name": "Foo/query"}},  # path missing
    {"#ids": {"resultOf": "q", "name": "Foo/query", "path": 1}},
]


@pytest.mark.parametrize(("arguments", "expected"), RESOLVED)
def test_references_resolve(arguments: dict[str, Any], expected: dict[str, Any]) -> None:
    assert resolve_references(arguments, RESPONSES) == expected


@pytest.mark.parametrize("arguments", INVALID_REFERENCE)
def test_invalid_result_reference(arguments: dict[str, Any]) -> None:
    with pytest.raises(InvalidResultReferenceError):
        resolve_references(arguments, RESPONSES)


def test_plain_and_referenced_key_together_are_invalid_arguments() -> None:
    arguments = {"ids": ["f9"], "#ids": _ref("q", "Foo/query", "/ids")}
    with pytest.raises(InvalidArgumentsError):
        resolve_references(arguments, RESPONSES)


def test_references_only_see_earlier_responses() -> None:
    with pytest.raises(InvalidResultReferenceError):
        resolve_references({"#ids": _ref("q", "Foo/query", "/ids")}, [])
