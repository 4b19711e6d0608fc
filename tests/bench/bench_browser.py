"""The signed-in webmail page the browser benches drive: Debian's /usr/bin/chromium,
headless, through Playwright, on a throwaway profile."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from support.cli_accounts import CliAccount
from support.webmail_page import sign_in_page

__all__ = ["signed_in_page"]


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
