"""The JMAP Request and Response objects on the wire (RFC 8620 3.2-3.4, 3.7).

Decoding is strict about shape and nothing else: a body that is not JSON is `notJSON`, JSON
that is not a Request is `notRequest` (3.6.1). Arguments stay plain dicts here; each
method converts them to its own argument Struct once result references are resolved.
"""

from __future__ import annotations

from typing import Any

import msgspec

from api.jmap.errors import NotJsonError, NotRequestError

__all__ = [
    "Invocation",
    "JmapRequest",
    "JmapResponse",
    "ResultReference",
    "decode_request",
    "encode_response",
]

# [name, arguments, method call id] (3.2): a JSON array of three, not an object.
Invocation = tuple[str, dict[str, Any], str]


class JmapRequest(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """3.3: the capabilities the client uses, its calls in order, and creation ids."""

    using: list[str]
    method_calls: list[Invocation]
    created_ids: dict[str, str] | None = None


class JmapResponse(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """3.4: one response per call (or more, or an error), in order.

    `createdIds` is present only when the request carried it; `sessionState` lets the
    client notice that its cached Session resource is stale.
    """

    method_responses: list[tuple[str, Any, str]]
    session_state: str
    created_ids: dict[str, str] | None = None


class ResultReference(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """3.7: "take `path` out of the response named `name` to call `resultOf`"."""

    result_of: str
    name: str
    path: str


_decoder = msgspec.json.Decoder(JmapRequest)
_encoder = msgspec.json.Encoder()


def decode_request(body: bytes) -> JmapRequest:
    """Parse a request body; raise the matching request-level error (3.6.1)."""
    try:
        return _decoder.decode(body)
    except msgspec.ValidationError as exc:
        # Checked first: ValidationError is a subclass of DecodeError.
        raise NotRequestError(str(exc)) from None
    except msgspec.DecodeError:
        raise NotJsonError("the request body is not valid I-JSON") from None


def encode_response(response: JmapResponse) -> bytes:
    return _encoder.encode(response)
