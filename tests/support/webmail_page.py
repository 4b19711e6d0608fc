"""Steps the webmail browser tests share: waiting on the server side, signing in a page."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = ["sign_in_page", "signed_in_tab", "wait_for"]


def wait_for(check: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    """Polls `check` until it returns something truthy, which is returned."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def sign_in_page(page: Any, address: str, password: str) -> None:
    """Fills the webmail's sign-in form with a password and submits it."""
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def signed_in_tab(
    browser_context: Any, base_url: str, address: str, password: str, timeout_ms: int
) -> Any:
    """A new tab on the webmail, signed in with a password."""
    page = browser_context.new_page()
    page.set_default_timeout(timeout_ms)
    page.goto(f"{base_url}/webmail/")
    sign_in_page(page, address, password)
    return page
