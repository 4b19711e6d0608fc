"""The JMAP API of one node, apart from HTTP (RFC 8620 3.1-3.4): decode a request body,
enforce the request-level limits, dispatch, build the Response.

The HTTP edge authenticates and reads the body; everything protocol-level happens here,
so it is the same code whatever carries the bytes.
"""

from __future__ import annotations

from api.core.unlocked import UnlockedAccount
from api.jmap.blob_upload import Uploads
from api.jmap.capabilities import CORE
from api.jmap.catalog import server_registry
from api.jmap.dispatcher import Dispatcher, check_using
from api.jmap.errors import LimitError
from api.jmap.limits import CoreLimits, MethodLimits, RequestGate
from api.jmap.registry import MethodContext, MethodRegistry
from api.jmap.session import Session, build_session
from api.jmap.wire import JmapResponse, decode_request
from api.services import Services

__all__ = ["JmapApi"]


class JmapApi:
    def __init__(
        self,
        services: Services,
        registry: MethodRegistry | None = None,
        limits: CoreLimits | None = None,
    ) -> None:
        self.services = services
        self.registry = registry or server_registry()
        self.limits = limits or CoreLimits()
        self.capabilities = frozenset({CORE}) | self.registry.capabilities()
        self._dispatcher = Dispatcher(self.registry)
        self._gate = RequestGate(self.limits.max_concurrent_requests)
        self.uploads = Uploads(services.blobs, self.limits)

    def session(self, unlocked: UnlockedAccount) -> Session:
        return build_session(self.services.settings, unlocked, self.limits)

    def check_size(self, size: int) -> None:
        """maxSizeRequest (3.6.1 limit), checked on the raw body before any parsing."""
        if size > self.limits.max_size_request:
            raise LimitError(
                "maxSizeRequest",
                f"the request body is larger than {self.limits.max_size_request} octets",
            )

    async def handle(self, body: bytes, unlocked: UnlockedAccount) -> JmapResponse:
        """Run one API request; raises a RequestError for request-level failures."""
        self.check_size(len(body))
        request = decode_request(body)
        check_using(request.using, self.capabilities)
        if len(request.method_calls) > self.limits.max_calls_in_request:
            raise LimitError(
                "maxCallsInRequest",
                f"at most {self.limits.max_calls_in_request} method calls per request",
            )
        created_ids = dict(request.created_ids or {})
        context = MethodContext(
            unlocked=unlocked,
            services=self.services,
            created_ids=created_ids,
            limits=MethodLimits.for_http(self.limits),
        )
        async with self._gate.enter(unlocked.account_id):
            responses = await self._dispatcher.run(request.method_calls, request.using, context)
        return JmapResponse(
            method_responses=responses,
            session_state=self.session(unlocked).state,
            # 3.4: echoed (with the new ids) only when the client sent a map.
            created_ids=created_ids if request.created_ids is not None else None,
        )
