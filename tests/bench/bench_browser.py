"""What the browser benches share: a throwaway `sealbox serve` with one seeded account,
and the signed-in webmail page they drive (Debian's /usr/bin/chromium, headless, through
Playwright, on a throwaway profile)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from support.cli_accounts import CliAccount, add_account, checked_cli
from support.environment import free_port, sealbox_environment
from support.server import start_server
from support.webmail_page import sign_in_page

__all__ = ["seeded_server", "signed_in_page"]


@contextmanager
def seeded_server(
    prefix: str, domain: str, seed: Callable[[dict[str, str], CliAccount], None]
) -> Iterator[tuple[str, CliAccount]]:
    """(base URL, account) of a server on a temporary SQLite data directory: the domain
    and account made by the CLI, `seed(env, account)` run before the server starts."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        data_dir = Path(tmp) / "data"
        port = free_port()
        env = sealbox_environment(
            data_dir, SEALBOX_HTTP_PORT=str(port), SEALBOX_HOSTNAME="127.0.0.1"
        )
        checked_cli(env, "domain", "add", domain)
        account = add_account(env, domain, name="Bench")
        seed(env, account)
        server = start_server(data_dir, env, port)
        try:
            yield server.base_url, account
        finally:
            assert server.stop() == 0, "\n".join(server.output)


@contextmanager
def signed_in_page(base_url: str, account: CliAccount, timeout_ms: int) -> Iterator[Any]:
    """A 1280x800 page signed in to the webmail as `account`; closed on exit."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            ignore_https_errors=True,
            viewport={"width": 1280, "height": 800},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(timeout_ms)
            page.goto(f"{base_url}/webmail/")
            sign_in_page(page, account.address, account.password)
            yield page
        finally:
            context.close()
