"""An in-process JMAP client for one account, with terse helpers for one call at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from api.core.unlocked import UnlockedAccount
from api.jmap.local import LocalJmapCaller
from api.services import Services
from support.services import PASSWORD, create_account, unlock

__all__ = ["USING", "Client", "make_client"]

USING = [
    "urn:ietf:params:jmap:core",
    "urn:ietf:params:jmap:mail",
    "urn:ietf:params:jmap:submission",
    "urn:ietf:params:jmap:vacationresponse",
    "urn:ietf:params:jmap:quota",
    "urn:sealbox:retention",
    "urn:sealbox:search",
    "urn:sealbox:webmail",
]


class Client:
    def __init__(self, services: Services, unlocked: UnlockedAccount) -> None:
        self.services = services
        self.unlocked = unlocked
        self.caller = LocalJmapCaller(services, unlocked)
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

    async def upload(self, data: bytes) -> str:
        async def chunks() -> AsyncIterator[bytes]:
            yield data

        return (await self.services.blobs.upload(self.unlocked.account_id, chunks())).id

    async def mailbox(self, role: str) -> str:
        got = await self.one("Mailbox/get", ids=None, properties=["role"])
        return next(m["id"] for m in got["list"] if m["role"] == role)

    async def import_email(self, raw: bytes, role: str = "inbox", **extra: Any) -> dict[str, Any]:
        """Upload and import one message; returns its `created` entry."""
        blob_id = await self.upload(raw)
        mailbox_id = await self.mailbox(role)
        got = await self.one(
            "Email/import",
            emails={"new": {"blobId": blob_id, "mailboxIds": {mailbox_id: True}, **extra}},
        )
        assert got["notCreated"] is None, got["notCreated"]
        return dict(got["created"]["new"])


async def make_client(
    services: Services, address: str = "alice@example.org", display_name: str = ""
) -> Client:
    created = await create_account(services, address, display_name=display_name)
    master_key = await unlock(services, created.account.id, PASSWORD)
    assert master_key is not None
    return Client(
        services, UnlockedAccount(created.account.id, created.account.address, master_key)
    )
