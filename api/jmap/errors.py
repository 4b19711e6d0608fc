"""JMAP errors: request-level problems (RFC 8620 3.6.1), method-level errors (3.6.2, 5.x)
and SetError (5.3).

Request-level errors abort the whole request and travel as RFC 7807 problem details with
status 400. Method-level errors are exceptions a handler raises; the dispatcher turns them
into an ["error", {...}, callId] response and carries on with the next call.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import msgspec

__all__ = [
    "AccountNotFoundError",
    "AccountNotSupportedByMethodError",
    "AccountReadOnlyError",
    "AnchorNotFoundError",
    "CannotCalculateChangesError",
    "ForbiddenError",
    "InvalidArgumentsError",
    "InvalidResultReferenceError",
    "LimitError",
    "MethodError",
    "NotJsonError",
    "NotRequestError",
    "Problem",
    "RequestError",
    "RequestTooLargeError",
    "ServerFailError",
    "ServerPartialFailError",
    "ServerUnavailableError",
    "SetError",
    "SetErrorType",
    "StateMismatchError",
    "TooManyChangesError",
    "UnknownCapabilityError",
    "UnknownMethodError",
    "UnsupportedFilterError",
    "UnsupportedSortError",
]

_URN = "urn:ietf:params:jmap:error:"


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """RFC 7807 problem details, as RFC 8620 3.6.1 uses them."""

    type: str
    status: int
    detail: str
    limit: str | None = None


class RequestError(Exception):
    """The request as a whole is refused (3.6.1)."""

    type: ClassVar[str]
    status: ClassVar[int] = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def problem(self) -> Problem:
        return Problem(type=self.type, status=self.status, detail=self.detail)


class UnknownCapabilityError(RequestError):
    type = _URN + "unknownCapability"


class NotJsonError(RequestError):
    type = _URN + "notJSON"


class NotRequestError(RequestError):
    type = _URN + "notRequest"


class LimitError(RequestError):
    """A session limit was exceeded; `limit` names it as the Session resource does."""

    type = _URN + "limit"

    def __init__(self, limit: str, detail: str) -> None:
        super().__init__(detail)
        self.limit = limit

    def problem(self) -> Problem:
        return Problem(type=self.type, status=self.status, detail=self.detail, limit=self.limit)


class MethodError(Exception):
    """One method call failed (3.6.2); the others in the request still run."""

    type: ClassVar[str]

    def __init__(self, description: str | None = None, **properties: Any) -> None:
        super().__init__(description or self.type)
        self.description = description
        # Type-specific members, e.g. `arguments` for invalidArguments in some servers.
        self.properties = properties

    def arguments(self) -> dict[str, Any]:
        """The error response's arguments object."""
        body: dict[str, Any] = {"type": self.type}
        if self.description is not None:
            body["description"] = self.description
        body.update(self.properties)
        return body


class ServerUnavailableError(MethodError):
    type = "serverUnavailable"


class ServerFailError(MethodError):
    type = "serverFail"


class ServerPartialFailError(MethodError):
    type = "serverPartialFail"


class UnknownMethodError(MethodError):
    type = "unknownMethod"


class InvalidArgumentsError(MethodError):
    type = "invalidArguments"


class InvalidResultReferenceError(MethodError):
    type = "invalidResultReference"


class ForbiddenError(MethodError):
    type = "forbidden"


class AccountNotFoundError(MethodError):
    type = "accountNotFound"


class AccountNotSupportedByMethodError(MethodError):
    type = "accountNotSupportedByMethod"


class AccountReadOnlyError(MethodError):
    type = "accountReadOnly"


class RequestTooLargeError(MethodError):
    """5.1 /get and 5.3 /set: more ids or objects than maxObjectsInGet/Set."""

    type = "requestTooLarge"


class StateMismatchError(MethodError):
    """5.3: ifInState does not match the current state."""

    type = "stateMismatch"


class CannotCalculateChangesError(MethodError):
    """5.2 /changes and 5.6 /queryChanges: sinceState is too old or unknown."""

    type = "cannotCalculateChanges"


class AnchorNotFoundError(MethodError):
    """5.5 /query: the anchor id is not in the results."""

    type = "anchorNotFound"


class UnsupportedSortError(MethodError):
    type = "unsupportedSort"


class UnsupportedFilterError(MethodError):
    type = "unsupportedFilter"


class TooManyChangesError(MethodError):
    """5.6 /queryChanges: more changes than maxChanges."""

    type = "tooManyChanges"


SetErrorType = Literal[
    "forbidden",
    "overQuota",
    "tooLarge",
    "rateLimit",
    "notFound",
    "invalidPatch",
    "willDestroy",
    "invalidProperties",
    "singleton",
    "alreadyExists",
]


class SetError(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """5.3: why one create/update/destroy of a /set failed; the rest may still succeed."""

    type: SetErrorType
    description: str | None = None
    # invalidProperties: the offending property names.
    properties: list[str] | None = None
    # alreadyExists (5.4 /copy): the id of the existing record.
    existing_id: str | None = msgspec.field(default=None, name="existingId")
