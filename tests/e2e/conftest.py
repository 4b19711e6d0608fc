"""A real Chromium for the webmail tests (Debian's package run by Playwright, never
downloaded), and the module-scoped server and accounts most browser tests share.

A test module names its domain in `DOMAIN`; `server` hosts it, and `alice`, `bob` and
`carol` are accounts there, each signed in over JMAP. Modules that need another server
(IMAPS on, a localhost RP ID) define their own `server`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.cli_accounts import add_account
from support.debian_packages import install_missing
from support.jmap_https import HttpsNode, sign_in
from support.server import RunningServer, hosted_server

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
# No sync, pings, updates or lookups: the browser talks to the test server and nothing else.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pings",
    "--disable-domain-reliability",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    reason = install_missing(["chromium"], [CHROMIUM])
    if reason:
        print(f"\nskipping webmail browser tests: {reason}")
        pytest.skip(reason)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    print(f"\nwebmail screenshots: {SCREENSHOTS}")
    return SCREENSHOTS


@pytest.fixture(scope="module")
def browser_context(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A headless Chromium with a fresh profile, trusting the server's self-signed certificate."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium_path,
            headless=True,
            args=CHROMIUM_ARGS,
            ignore_https_errors=True,
            viewport={"width": 1280, "height": 800},
            color_scheme="light",
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """A `sealbox serve` hosting the test module's `DOMAIN`, stopped cleanly afterwards."""
    name = request.module.__name__.rsplit(".", 1)[-1]
    with hosted_server(tmp_path_factory, name, request.module.DOMAIN) as running:
        yield running


def _person(request: pytest.FixtureRequest, server: RunningServer, name: str) -> HttpsNode:
    return sign_in(server, add_account(server.env, request.module.DOMAIN, name=name))


@pytest.fixture(scope="module")
def alice(request: pytest.FixtureRequest, server: RunningServer) -> HttpsNode:
    return _person(request, server, "Alice")


@pytest.fixture(scope="module")
def bob(request: pytest.FixtureRequest, server: RunningServer) -> HttpsNode:
    return _person(request, server, "Bob")


@pytest.fixture(scope="module")
def carol(request: pytest.FixtureRequest, server: RunningServer) -> HttpsNode:
    return _person(request, server, "Carol")
