"""Litestar app factory: the HTTP edge (auth, JMAP, status page, OpenAPI) and the webmail."""

from __future__ import annotations

import tempfile
from typing import Any

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.types import ControllerRouterHandler

import api
from api.config import Settings
from api.http.app_password_routes import AppPasswordController
from api.http.auth_routes import AuthController
from api.http.errors import EXCEPTION_HANDLERS
from api.http.jmap_blob_routes import BlobController
from api.http.jmap_push_routes import event_source
from api.http.jmap_routes import JmapController
from api.http.jmap_ws_routes import jmap_websocket
from api.http.passkey_routes import PasskeyController
from api.http.security_headers import add_security_headers
from api.http.status_page import status_page
from api.http.totp_routes import TotpSettingsController
from api.http.webmail import webmail_router
from api.jmap.endpoint import JmapApi
from api.services import Services, build_services

__all__ = ["create_app", "openapi_config", "openapi_document"]

# Swagger UI's files come from our own build (webmail-ui/dist/vendor), never from a CDN.
_SWAGGER = "/webmail/vendor/swagger-ui"


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Sealbox",
        version=api.__version__,
        description="Sign-in, sessions and the JMAP API (RFC 8620) of a Sealbox mail host.",
        path="/openapi",
        render_plugins=[
            JsonRenderPlugin(),
            SwaggerRenderPlugin(
                js_url=f"{_SWAGGER}/swagger-ui-bundle.js",
                css_url=f"{_SWAGGER}/swagger-ui.css",
                standalone_preset_js_url=f"{_SWAGGER}/swagger-ui-standalone-preset.js",
            ),
        ],
    )


def create_app(services: Services) -> Litestar:
    handlers: list[ControllerRouterHandler] = [
        AuthController,
        PasskeyController,
        AppPasswordController,
        TotpSettingsController,
        JmapController,
        BlobController,
        event_source,
        jmap_websocket,
        status_page,
    ]
    jmap = JmapApi(services)
    webmail = webmail_router()
    if webmail is not None:
        handlers.append(webmail)
    return Litestar(
        route_handlers=handlers,
        dependencies={
            "services": Provide(lambda: services, sync_to_thread=False),
            # One per app: it holds the per-account count of requests in flight.
            "jmap": Provide(lambda: jmap, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        before_send=[add_security_headers],
        openapi_config=openapi_config(),
        request_max_body_size=1024 * 1024,
        # api.logs configures logging once for the whole process.
        logging_config=None,
    )


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the HTTP API; independent of any node's settings."""
    # A throwaway data directory: describing the API must not create ./data as a side effect.
    with tempfile.TemporaryDirectory() as scratch:
        services = build_services(Settings(data_dir=scratch, create_demo_account=False))
        return create_app(services).openapi_schema.to_schema()
