"""One account's in-process JMAP caller with terse helpers, for the data-type tests."""

from __future__ import annotations

from typing import Any

from api.core.unlocked import UnlockedAccount
from api.jmap.local import LocalJmapCaller
from api.services import Services
from support.services import PASSWORD, create_account, unlock

__all__ = ["USING", "JmapClient", "signed_in_client"]

USING = [
    "urn:ietf:params:jmap:core",
    "urn:ietf:params:jmap:mail",
    "urn:ietf:params:jmap:submission",
    "urn:ietf:params:jmap:vacationresponse",
]


class JmapClient:
    def __init__(self, caller: LocalJmapCaller, unlocked: UnlockedAccount) -> None:
        self.caller = caller
        self.unlocked = unlocked
        self.account_id = unlocked.account_id

    async def batch(self, *calls: tuple[str, dict[str, Any]]) -> list[tuple[str, Any, str]]:
        invocations = [
            (name, {"accountId": self.account_id, **args}, f"c{i}")
            for i, (name, args) in enumerate(calls)
        ]
        return await self.caller.call(invocations, USING)

    async def one(self, name: str, **args: Any) -> dict[str, Any]:
        [(response_name, body, _)] = await self.batch((name, args))
        assert response_name == name, body
        return dict(body)

    async def error(self, name: str, **args: Any) -> dict[str, Any]:
        [(response_name, body, _)] = await self.batch((name, args))
        assert response_name == "error", body
        return dict(body)


async def signed_in_client(
    services: Services, address: str = "alice@example.org", display_name: str = ""
) -> JmapClient:
    created = await create_account(services, address, display_name=display_name)
    master_key = await unlock(services, created.account.id, PASSWORD)
    assert master_key is not None
    unlocked = UnlockedAccount(created.account.id, created.account.address, master_key)
    return JmapClient(LocalJmapCaller(services, unlocked), unlocked)
