"""The in-process JMAP caller: how compat (IMAP, POP3, SMTP) enters the JMAP layer.

The same dispatcher as the HTTP API (RFC 8620 3.3), without JSON and without the
HTTP-only limits: an IMAP `UID FETCH 1:*` over a large mailbox is one call, not many
requests of maxObjectsInGet ids. Arguments may be the method's own Structs; responses
come back as the handlers returned them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.core.unlocked import UnlockedAccount
from api.jmap.capabilities import CORE
from api.jmap.catalog import server_registry
from api.jmap.dispatcher import Call, Dispatcher, check_using
from api.jmap.limits import CoreLimits, MethodLimits
from api.jmap.registry import MethodContext, MethodRegistry
from api.services import Services

__all__ = ["LocalJmapCaller"]


class LocalJmapCaller:
    def __init__(
        self,
        services: Services,
        unlocked: UnlockedAccount,
        registry: MethodRegistry | None = None,
    ) -> None:
        self._services = services
        self._unlocked = unlocked
        self._registry = registry or server_registry()
        self._dispatcher = Dispatcher(self._registry)
        self._capabilities = frozenset({CORE}) | self._registry.capabilities()
        # maxObjectsInSet still bounds one write, so a single call cannot run unbounded.
        self._limits = MethodLimits(
            max_objects_in_get=None, max_objects_in_set=CoreLimits().max_objects_in_set
        )

    async def call(
        self, method_calls: Sequence[Call], using: Sequence[str]
    ) -> list[tuple[str, Any, str]]:
        """Run the calls in order; raises UnknownCapabilityError for an unknown `using`."""
        check_using(using, self._capabilities)
        context = MethodContext(
            unlocked=self._unlocked,
            services=self._services,
            created_ids={},
            limits=self._limits,
        )
        return await self._dispatcher.run(method_calls, using, context)
