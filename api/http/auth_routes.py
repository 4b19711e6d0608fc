"""/auth: password and TOTP sign-in, sign-out, password change and recovery."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from api.auth.login import SignedIn
from api.http.principal import (
    SESSION_COOKIE,
    AnyRequest,
    ServicesDep,
    client_address,
    resolve_principal,
)
from api.http.schemas import (
    AccountInfo,
    LoginRequest,
    PasswordChangeRequest,
    RecoverRequest,
    RecoverResponse,
    SignedInResponse,
    TotpRequest,
    TotpRequiredResponse,
)
from api.services import Services
from crypto.secret_value import SecretStr

__all__ = ["AuthController", "signed_in_response"]


def _session_cookie(token: str, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        max_age=max_age,
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )


def signed_in_response(result: SignedIn, services: Services) -> Response[SignedInResponse]:
    body = SignedInResponse(
        token=result.token, account_id=result.account_id, username=result.address
    )
    cookie = _session_cookie(result.token, services.settings.session_ttl_seconds)
    return Response(body, status_code=HTTP_200_OK, cookies=[cookie])


class AuthController(Controller):
    path = "/auth"
    tags = ("auth",)

    @post("/login", status_code=HTTP_200_OK, summary="Sign in with address and password")
    async def login(
        self, request: AnyRequest, data: JSONBody[LoginRequest], services: ServicesDep
    ) -> Response[SignedInResponse] | TotpRequiredResponse:
        """Returns a session (token + HttpOnly cookie), or a second-factor challenge to
        complete at /auth/totp or /auth/passkeys/verify. Unknown address and wrong
        password give the same 401."""
        result = await services.login.login(
            data.username, SecretStr(data.password), client_address(request)
        )
        if isinstance(result, SignedIn):
            return signed_in_response(result, services)
        return TotpRequiredResponse(
            challenge=result.challenge,
            totp_required=result.totp,
            passkey_required=result.passkey_options is not None,
            passkey_options=result.passkey_options,
        )

    @post("/totp", status_code=HTTP_200_OK, summary="Complete sign-in with a TOTP code")
    async def totp(
        self, request: AnyRequest, data: JSONBody[TotpRequest], services: ServicesDep
    ) -> Response[SignedInResponse]:
        result = await services.login.complete_totp(
            data.challenge, data.code, client_address(request)
        )
        return signed_in_response(result, services)

    @post("/logout", status_code=HTTP_204_NO_CONTENT, summary="End this session")
    async def logout(self, request: AnyRequest, services: ServicesDep) -> Response[None]:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else None
        token = token or request.cookies.get(SESSION_COOKIE)
        if token:
            await services.sessions.revoke(token)
        response: Response[None] = Response(None, status_code=HTTP_204_NO_CONTENT)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get("/me", summary="The signed-in account")
    async def me(self, request: AnyRequest, services: ServicesDep) -> AccountInfo:
        principal = await resolve_principal(request, services, challenge=False)
        return AccountInfo(
            account_id=principal.unlocked.account_id, username=principal.unlocked.address
        )

    @post("/password", status_code=HTTP_204_NO_CONTENT, summary="Change the password")
    async def change_password(
        self, request: AnyRequest, data: JSONBody[PasswordChangeRequest], services: ServicesDep
    ) -> None:
        """Rewraps the account key under the new password (no mail is re-encrypted) and
        ends every other session of the account."""
        principal = await resolve_principal(request, services, challenge=False)
        await services.throttled_passwords.change(
            principal.unlocked.address,
            SecretStr(data.current_password),
            SecretStr(data.new_password),
            client=client_address(request),
            keep_session=principal.session_id_hash,
        )

    @post("/recover", status_code=HTTP_200_OK, summary="Reset the password with the recovery code")
    async def recover(
        self, request: AnyRequest, data: JSONBody[RecoverRequest], services: ServicesDep
    ) -> RecoverResponse:
        """Keeps all mail. The code is spent: the response carries the next one, once.
        Accounts that chose no recovery get 409 recoveryUnavailable. Wrong codes count
        against the sign-in throttle."""
        code = await services.throttled_passwords.recover(
            data.username,
            data.recovery_code,
            SecretStr(data.new_password),
            client=client_address(request),
        )
        return RecoverResponse(recovery_code=code)
