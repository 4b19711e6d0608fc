"""Domain errors -> HTTP responses, in one table; every body is {"error", "detail"}."""

from __future__ import annotations

import logging

from litestar import MediaType, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from api.core import errors
from api.http.principal import AnyRequest
from api.http.schemas import ErrorBody

__all__ = ["EXCEPTION_HANDLERS"]

log = logging.getLogger("sealbox.http")

STATUS_BY_ERROR: dict[type[errors.SealboxError], int] = {
    errors.InvalidAddressError: HTTP_400_BAD_REQUEST,
    errors.WeakPasswordError: HTTP_400_BAD_REQUEST,
    errors.InvalidCredentialsError: HTTP_401_UNAUTHORIZED,
    errors.SecondFactorRequiredError: HTTP_401_UNAUTHORIZED,
    errors.InvalidTotpError: HTTP_401_UNAUTHORIZED,
    errors.InvalidRecoveryCodeError: HTTP_401_UNAUTHORIZED,
    errors.TooManyAttemptsError: HTTP_429_TOO_MANY_REQUESTS,
    errors.RecoveryUnavailableError: HTTP_409_CONFLICT,
    errors.TotpStateError: HTTP_409_CONFLICT,
    errors.AccountExistsError: HTTP_409_CONFLICT,
    errors.DomainExistsError: HTTP_409_CONFLICT,
    errors.DomainInUseError: HTTP_409_CONFLICT,
    errors.AccountNotFoundError: HTTP_404_NOT_FOUND,
    errors.DomainNotFoundError: HTTP_404_NOT_FOUND,
    errors.AppPasswordNotFoundError: HTTP_404_NOT_FOUND,
    errors.BlobNotFoundError: HTTP_404_NOT_FOUND,
    errors.InvalidPasskeyError: HTTP_401_UNAUTHORIZED,
    errors.PasskeyCannotUnlockError: HTTP_409_CONFLICT,
    errors.PasskeyExistsError: HTTP_409_CONFLICT,
    errors.PasskeyNotFoundError: HTTP_404_NOT_FOUND,
    errors.PasskeyProofRequiredError: HTTP_403_FORBIDDEN,
}


def _body(error: str, detail: str, retry_after: int | None = None) -> ErrorBody:
    return ErrorBody(error=error, detail=detail, retry_after=retry_after)


def domain_error(_: AnyRequest, exc: errors.SealboxError) -> Response[ErrorBody]:
    status = next(
        (code for kind, code in STATUS_BY_ERROR.items() if isinstance(exc, kind)),
        HTTP_500_INTERNAL_SERVER_ERROR,
    )
    headers: dict[str, str] = {}
    retry_after = None
    if isinstance(exc, errors.TooManyAttemptsError):
        retry_after = exc.retry_after
        headers["Retry-After"] = str(retry_after)
    return Response(
        _body(exc.code, exc.message, retry_after),
        status_code=status,
        headers=headers,
        media_type=MediaType.JSON,
    )


def validation_error(_: AnyRequest, exc: ValidationException) -> Response[ErrorBody]:
    # Litestar's detail names the field and the rule; it never echoes secret values.
    detail = "; ".join(
        str(item.get("message", "")) + f" ({item.get('key', 'body')})"
        for item in (exc.extra or [])
        if isinstance(item, dict)
    )
    return Response(
        _body("invalidRequest", detail or exc.detail or "the request is malformed"),
        status_code=HTTP_400_BAD_REQUEST,
        media_type=MediaType.JSON,
    )


def http_error(_: AnyRequest, exc: HTTPException) -> Response[ErrorBody]:
    names = {
        400: "invalidRequest",
        401: "unauthorized",
        404: "notFound",
        405: "methodNotAllowed",
        413: "tooLarge",
    }
    return Response(
        _body(names.get(exc.status_code, "httpError"), exc.detail),
        status_code=exc.status_code,
        headers=exc.headers,
        media_type=MediaType.JSON,
    )


def unexpected_error(_: AnyRequest, exc: Exception) -> Response[ErrorBody]:
    # Type only: an exception's text may quote data we must not log.
    log.error("unhandled error", extra={"event": "http.error", "error_type": type(exc).__name__})
    return Response(
        _body("serverFail", "the server could not complete the request"),
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        media_type=MediaType.JSON,
    )


EXCEPTION_HANDLERS = {
    errors.SealboxError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
