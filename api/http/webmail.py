"""The built single-page webmail (webmail-ui/dist), served under /webmail/."""

from __future__ import annotations

from pathlib import Path

from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

__all__ = ["WEBMAIL_DIST", "webmail_router"]

WEBMAIL_DIST = Path(__file__).resolve().parents[2] / "webmail-ui" / "dist"


def webmail_router(dist: Path = WEBMAIL_DIST) -> ControllerRouterHandler | None:
    """A router for the built SPA, or None when it has not been built (API-only installs)."""
    if not (dist / "index.html").is_file():
        return None
    return create_static_files_router(
        path="/webmail", directories=[dist], html_mode=True, include_in_schema=False
    )
