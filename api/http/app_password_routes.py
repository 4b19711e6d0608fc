"""/auth/app-passwords: list, create and revoke app passwords from a signed-in session."""

from __future__ import annotations

import datetime
from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.params import JSONBody, PathParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from api.http.credential_schemas import (
    AppPasswordCreated,
    AppPasswordCreateRequest,
    AppPasswordInfo,
    AppPasswordList,
)
from api.http.principal import AnyRequest, ServicesDep
from api.http.session_principal import resolve_session_principal
from api.store.records import AppPasswordRecord

__all__ = ["AppPasswordController"]


def _utc(timestamp: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC)


def _created(record: AppPasswordRecord) -> str:
    return _utc(record.created_at).strftime("%Y-%m-%dT%H:%M:%SZ")


def _info(record: AppPasswordRecord) -> AppPasswordInfo:
    used = record.last_used_day
    return AppPasswordInfo(
        id=record.id,
        name=record.name,
        created=_created(record),
        last_used_day=None if used is None else _utc(used).strftime("%Y-%m-%d"),
    )


class AppPasswordController(Controller):
    path = "/auth/app-passwords"
    tags = ("auth",)

    @get("/", summary="List this account's app passwords")
    async def list_app_passwords(
        self, request: AnyRequest, services: ServicesDep
    ) -> AppPasswordList:
        principal = await resolve_session_principal(request, services)
        records = await services.app_passwords.list(principal.unlocked.account_id)
        return AppPasswordList(app_passwords=[_info(record) for record in records])

    @post("/", status_code=HTTP_201_CREATED, summary="Create an app password")
    async def create_app_password(
        self, request: AnyRequest, data: JSONBody[AppPasswordCreateRequest], services: ServicesDep
    ) -> AppPasswordCreated:
        """The secret is in this response only; the server keeps a verifier and the key
        slot it unlocks. It works for IMAP, POP3, SMTP and JMAP Basic auth."""
        principal = await resolve_session_principal(request, services)
        created = await services.app_passwords.create(principal.unlocked, data.name)
        return AppPasswordCreated(
            id=created.record.id,
            name=created.record.name,
            created=_created(created.record),
            secret=created.secret,
        )

    @delete("/{app_password_id:str}", status_code=HTTP_204_NO_CONTENT, summary="Revoke one")
    async def revoke_app_password(
        self,
        request: AnyRequest,
        app_password_id: Annotated[str, PathParameter(max_length=64)],
        services: ServicesDep,
    ) -> None:
        """Clients using it are signed out at their next request, on every node."""
        principal = await resolve_session_principal(request, services)
        await services.app_passwords.revoke(principal.unlocked.account_id, app_password_id)
