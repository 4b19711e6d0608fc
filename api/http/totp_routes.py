"""/auth/totp/...: TOTP enrolment (RFC 6238) and removal from a signed-in session.

Enrolment is two steps so that nobody locks themselves out: `enroll` stores a pending
secret and `confirm` turns it on only once a code from it verifies.
"""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from api.http.credential_schemas import TotpCodeRequest, TotpEnrolResponse, TotpStatus
from api.http.principal import AnyRequest, ServicesDep, client_address
from api.http.session_principal import resolve_session_principal

__all__ = ["TotpSettingsController"]


class TotpSettingsController(Controller):
    path = "/auth/totp"
    tags = ("auth",)

    @get("/status", summary="Whether two-factor sign-in is on or waiting for a code")
    async def totp_status(self, request: AnyRequest, services: ServicesDep) -> TotpStatus:
        principal = await resolve_session_principal(request, services)
        account = await services.totp_settings.account(principal.unlocked)
        return TotpStatus(
            enabled=account.has_second_factor,
            pending=account.totp_pending_sealed_secret is not None,
        )

    @post("/enroll", status_code=HTTP_200_OK, summary="Start TOTP enrolment")
    async def enroll(self, request: AnyRequest, services: ServicesDep) -> TotpEnrolResponse:
        """Returns a new secret, once, as an otpauth:// URI (for a QR code) and as text.
        It stays pending, and sign-in unchanged, until /auth/totp/confirm. 409 totpState
        when TOTP is already on."""
        principal = await resolve_session_principal(request, services)
        enrolment = await services.totp_settings.enrol(principal.unlocked)
        return TotpEnrolResponse(
            otpauth_uri=enrolment.uri.reveal(), secret=enrolment.secret.reveal()
        )

    @post("/confirm", status_code=HTTP_204_NO_CONTENT, summary="Turn TOTP on with a code")
    async def confirm(
        self, request: AnyRequest, data: JSONBody[TotpCodeRequest], services: ServicesDep
    ) -> None:
        """401 invalidTotp for a wrong code (counted by the sign-in throttle); 409
        totpState when there is nothing pending."""
        principal = await resolve_session_principal(request, services)
        await services.totp_settings.confirm(
            principal.unlocked, data.code, client=client_address(request)
        )

    @post("/disable", status_code=HTTP_204_NO_CONTENT, summary="Turn TOTP off with a code")
    async def disable(
        self, request: AnyRequest, data: JSONBody[TotpCodeRequest], services: ServicesDep
    ) -> None:
        """Needs a current, unused code: a session left open is not enough."""
        principal = await resolve_session_principal(request, services)
        await services.totp_settings.disable(
            principal.unlocked, data.code, client=client_address(request)
        )
