"""The JMAP HTTP endpoints (RFC 8620 2.2, 3.1): the Session resource and the API.

Authentication is Bearer, session cookie or Basic (app password); unauthenticated calls
get 401 with a Basic challenge, which JMAP clients expect. Request-level errors are RFC
7807 problem details (3.6.1); everything else lives in api.jmap.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema

from api.http.principal import AnyRequest, ServicesDep, resolve_principal
from api.jmap.endpoint import JmapApi
from api.jmap.errors import NotJsonError, Problem, RequestError
from api.jmap.session import Session
from api.jmap.wire import JmapResponse, encode_response

__all__ = ["JmapApiDep", "JmapController"]

JmapApiDep = NamedDependency[JmapApi]
JSON = "application/json"
PROBLEM = "application/problem+json"

_REQUEST_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["using", "methodCalls"],
    properties={
        "using": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING)),
        "methodCalls": Schema(
            type=OpenAPIType.ARRAY,
            items=Schema(
                type=OpenAPIType.ARRAY,
                description="[method name, arguments object, method call id]",
                min_items=3,
                max_items=3,
            ),
        ),
        "createdIds": Schema(
            type=OpenAPIType.OBJECT, additional_properties=Schema(type=OpenAPIType.STRING)
        ),
    },
)


@dataclass
class _ApiOperation(Operation):
    # The body is read raw (to enforce maxSizeRequest before parsing), so Litestar cannot
    # infer its schema: describe the JMAP Request object here.
    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            content={JSON: OpenAPIMediaType(schema=_REQUEST_SCHEMA)},
            description="A JMAP Request object (RFC 8620 3.3)",
            required=True,
        )


def _problem(error: RequestError) -> Response[bytes]:
    body = msgspec.json.encode(error.problem())
    return Response(body, status_code=error.status, media_type=PROBLEM)


async def _read_body(request: AnyRequest, jmap: JmapApi) -> bytes:
    """The raw body, refused as soon as it is known to exceed maxSizeRequest."""
    declared = request.content_length
    if declared is not None:
        jmap.check_size(declared)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        jmap.check_size(size)
        chunks.append(chunk)
    return b"".join(chunks)


class JmapController(Controller):
    tags = ("jmap",)

    @get(
        ["/.well-known/jmap", "/jmap/session"],
        summary="The JMAP Session resource (RFC 8620 2)",
    )
    async def session(
        self, request: AnyRequest, services: ServicesDep, jmap: JmapApiDep
    ) -> Session:
        """Served directly at /.well-known/jmap (2.2 allows this or a redirect)."""
        principal = await resolve_principal(request, services, challenge=True)
        return jmap.session(principal.unlocked)

    @post(
        "/jmap/api",
        summary="Run JMAP method calls (RFC 8620 3)",
        status_code=200,
        # maxSizeRequest is enforced (as a JMAP limit error) while reading the body.
        request_max_body_size=None,
        operation_class=_ApiOperation,
        responses={
            200: ResponseSpec(
                JmapResponse, description="The JMAP Response object", generate_examples=False
            ),
            400: ResponseSpec(
                Problem,
                description="A request-level error (3.6.1)",
                media_type=PROBLEM,
                generate_examples=False,
            ),
        },
    )
    async def api(
        self, request: AnyRequest, services: ServicesDep, jmap: JmapApiDep
    ) -> Response[bytes]:
        principal = await resolve_principal(request, services, challenge=True)
        try:
            body = await _read_body(request, jmap)
            if request.content_type[0].lower() != JSON:
                raise NotJsonError("the request content type must be application/json")
            response = await jmap.handle(body, principal.unlocked)
        except RequestError as error:
            return _problem(error)
        return Response(encode_response(response), status_code=200, media_type=JSON)
