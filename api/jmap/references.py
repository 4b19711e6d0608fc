"""Result references (RFC 8620 3.7): "#name" arguments taken from earlier responses.

The path is a JSON Pointer (RFC 6901) with one JMAP extension: on an array, the token `*`
applies the rest of the pointer to every item and flattens one level of arrays in the
result, so "/list/*/id" turns a /get response into a list of ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from api.jmap.errors import InvalidArgumentsError, InvalidResultReferenceError
from api.jmap.wire import ResultReference

__all__ = ["PointerError", "evaluate_pointer", "resolve_references"]


class PointerError(ValueError):
    """The pointer is malformed or does not lead to a value in the document."""


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PointerError("a JSON Pointer starts with '/'")
    tokens = []
    for raw in pointer[1:].split("/"):
        # RFC 6901 4: only ~0 and ~1 are escapes, and ~1 is undone before ~0.
        if "~" in raw.replace("~0", "").replace("~1", ""):
            raise PointerError("'~' must be followed by 0 or 1")
        tokens.append(raw.replace("~1", "/").replace("~0", "~"))
    return tokens


def _index(token: str, length: int) -> int:
    # RFC 6901 4: decimal without leading zeros; "-" (past the end) names no value.
    if not token.isdigit() or not token.isascii() or (len(token) > 1 and token[0] == "0"):
        raise PointerError(f"{token!r} is not an array index")
    index = int(token)
    if index >= length:
        raise PointerError(f"index {index} is past the end of the array")
    return index


def _walk(value: Any, tokens: Sequence[str]) -> Any:
    for position, step in enumerate(tokens):
        if isinstance(value, list):
            if step == "*":
                return _map_items(value, tokens[position + 1 :])
            value = value[_index(step, len(value))]
        elif isinstance(value, dict):
            if step not in value:
                raise PointerError(f"no member {step!r}")
            value = value[step]
        else:
            raise PointerError(f"cannot descend into a {type(value).__name__}")
    return value


def _map_items(items: list[Any], rest: Sequence[str]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        result = _walk(item, rest)
        if isinstance(result, list):
            out.extend(result)
        else:
            out.append(result)
    return out


def evaluate_pointer(document: Any, pointer: str) -> Any:
    """The value `pointer` names in `document` (JSON types only); PointerError if none."""
    return _walk(document, _tokens(pointer))


def _reference(value: Any) -> ResultReference:
    try:
        return msgspec.convert(value, ResultReference, strict=True)
    except msgspec.ValidationError as exc:
        raise InvalidResultReferenceError(f"not a ResultReference: {exc}") from None


def _resolve_one(ref: ResultReference, responses: Sequence[tuple[str, Any, str]]) -> Any:
    # The first earlier response with that call id; its name must match too.
    found = next((r for r in responses if r[2] == ref.result_of), None)
    if found is None:
        raise InvalidResultReferenceError(f"no earlier response has call id {ref.result_of!r}")
    if found[0] != ref.name:
        raise InvalidResultReferenceError(
            f"the response to {ref.result_of!r} is {found[0]!r}, not {ref.name!r}"
        )
    try:
        return evaluate_pointer(msgspec.to_builtins(found[1]), ref.path)
    except PointerError as exc:
        raise InvalidResultReferenceError(f"path {ref.path!r}: {exc}") from None


def resolve_references(
    arguments: dict[str, Any], responses: Sequence[tuple[str, Any, str]]
) -> dict[str, Any]:
    """A copy of `arguments` with every "#key" replaced by "key": its referenced value.

    `responses` are the method responses so far, as (name, arguments, call id).
    """
    if not any(key.startswith("#") for key in arguments):
        return arguments
    resolved: dict[str, Any] = {}
    for key, value in arguments.items():
        if not key.startswith("#"):
            resolved[key] = value
            continue
        plain = key[1:]
        if plain in arguments:
            raise InvalidArgumentsError(f"both {plain!r} and {key!r} are given")
        resolved[plain] = _resolve_one(_reference(value), responses)
    return resolved
