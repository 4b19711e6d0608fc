"""/auth/passkeys: register, list, rename and remove passkeys; sign in with one, as the
second factor or passwordless (W3C WebAuthn L3)."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from litestar import Controller, Response, delete, get, patch, post
from litestar.exceptions import ValidationException
from litestar.params import JSONBody, PathParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from api.http.auth_routes import signed_in_response
from api.http.passkey_schemas import (
    PasskeyInfo,
    PasskeyLoginRequest,
    PasskeyRegisterRequest,
    PasskeyRemoveRequest,
    PasskeyRenameRequest,
    PasskeyVerifyRequest,
)
from api.http.principal import AnyRequest, ServicesDep, client_address
from api.http.schemas import SignedInResponse
from api.http.session_principal import resolve_session_principal
from api.store.passkey_records import PasskeyRecord

__all__ = ["PasskeyController"]


def _prf(value: str | None) -> bytes | None:
    if value is None:
        return None
    try:
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError as exc:
        raise ValidationException("prfOutput is not base64url") from exc
    if len(decoded) != 32:
        raise ValidationException("prfOutput must be 32 bytes")
    return decoded


def _info(record: PasskeyRecord) -> PasskeyInfo:
    return PasskeyInfo(
        id=record.id,
        name=record.name,
        created_at=record.created_at,
        last_used_day=record.last_used_day,
        can_unlock=record.can_unlock,
    )


class PasskeyController(Controller):
    path = "/auth/passkeys"
    tags = ("auth",)

    @get("/", summary="The passkeys of the signed-in account")
    async def list_passkeys(self, request: AnyRequest, services: ServicesDep) -> list[PasskeyInfo]:
        principal = await resolve_session_principal(request, services)
        return [_info(p) for p in await services.passkeys.list(principal.unlocked.account_id)]

    @post("/register/options", status_code=HTTP_200_OK, summary="Start registering a passkey")
    async def register_options(self, request: AnyRequest, services: ServicesDep) -> dict[str, Any]:
        """PublicKeyCredentialCreationOptions JSON (resident key, user verification
        preferred, extensions.prf.eval.first = the salt). The challenge is single-use."""
        principal = await resolve_session_principal(request, services)
        return await services.passkeys.registration_options(principal.unlocked)

    @post("/register", status_code=HTTP_200_OK, summary="Finish registering a passkey")
    async def register(
        self, request: AnyRequest, data: JSONBody[PasskeyRegisterRequest], services: ServicesDep
    ) -> PasskeyInfo:
        principal = await resolve_session_principal(request, services)
        record = await services.passkeys.register(
            principal.unlocked, data.credential, data.name, _prf(data.prf_output)
        )
        return _info(record)

    @patch("/{passkey_id:str}", status_code=HTTP_204_NO_CONTENT, summary="Rename a passkey")
    async def rename(
        self,
        request: AnyRequest,
        passkey_id: Annotated[str, PathParameter()],
        data: JSONBody[PasskeyRenameRequest],
        services: ServicesDep,
    ) -> None:
        principal = await resolve_session_principal(request, services)
        await services.passkeys.rename(principal.unlocked.account_id, passkey_id, data.name)

    @delete("/{passkey_id:str}", status_code=HTTP_204_NO_CONTENT, summary="Remove a passkey")
    async def remove(
        self,
        request: AnyRequest,
        passkey_id: Annotated[str, PathParameter()],
        services: ServicesDep,
        data: JSONBody[PasskeyRemoveRequest | None] = None,
    ) -> None:
        """Removes the credential and its key slot: it can no longer unlock the account.
        When it is the last second factor, the body must carry a fresh assertion
        (`credential`, from /auth/passkeys/remove/options), else 403 passkeyProofRequired;
        a wrong one answers 401 invalidPasskey, counted by the sign-in throttle."""
        principal = await resolve_session_principal(request, services)
        await services.passkey_removal.remove(
            principal.unlocked,
            passkey_id,
            None if data is None else data.credential,
            client=client_address(request),
        )

    @post("/remove/options", status_code=HTTP_200_OK, summary="Start proving a passkey removal")
    async def remove_options(self, request: AnyRequest, services: ServicesDep) -> dict[str, Any]:
        """PublicKeyCredentialRequestOptions JSON limited to this account's passkeys."""
        principal = await resolve_session_principal(request, services)
        return await services.passkey_removal.options(principal.unlocked)

    @post("/verify", status_code=HTTP_200_OK, summary="Complete sign-in with a passkey")
    async def verify(
        self, request: AnyRequest, data: JSONBody[PasskeyVerifyRequest], services: ServicesDep
    ) -> Response[SignedInResponse]:
        """The second factor after /auth/login answered passkeyRequired."""
        result = await services.passkey_login.complete_second_factor(
            data.challenge, data.credential, _prf(data.prf_output), client_address(request)
        )
        return signed_in_response(result, services)

    @post("/login/options", status_code=HTTP_200_OK, summary="Start a passwordless sign-in")
    async def login_options(self, services: ServicesDep) -> dict[str, Any]:
        """PublicKeyCredentialRequestOptions JSON for discoverable credentials, with
        extensions.prf.eval.first = the salt."""
        return await services.passkey_login.passwordless_options()

    @post("/login", status_code=HTTP_200_OK, summary="Sign in with a passkey alone")
    async def login(
        self, request: AnyRequest, data: JSONBody[PasskeyLoginRequest], services: ServicesDep
    ) -> Response[SignedInResponse]:
        """Needs the passkey's PRF output: it unwraps the account key. A passkey without
        a key slot answers 409 passkeyCannotUnlock; failures count like wrong passwords."""
        result = await services.passkey_login.passwordless(
            data.credential, _prf(data.prf_output), client_address(request)
        )
        return signed_in_response(result, services)
