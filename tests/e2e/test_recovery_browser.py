"""The recovery-code section of Settings in a real Chromium: the code sets a new password,
the next code is shown once, and only the new code and the new password work afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from support.cli_accounts import CliAccount, add_account, strong_password
from support.server import RunningServer, https_client

pytestmark = pytest.mark.slow

DOMAIN = "recovery-ui.example"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def account(server: RunningServer) -> CliAccount:
    return add_account(server.env, DOMAIN, name="Erin", recovery="code")


def _recover(server: RunningServer, address: str, code: str, password: str) -> int:
    with https_client(server) as client:
        response = client.post(
            "/auth/recover",
            json={"username": address, "recoveryCode": code, "newPassword": password},
        )
    return response.status_code


def _login(server: RunningServer, address: str, password: str) -> int:
    with https_client(server) as client:
        response = client.post("/auth/login", json={"username": address, "password": password})
    return response.status_code


def test_recovery_code_is_replaced_and_shown_once(
    browser_context: Any, server: RunningServer, account: CliAccount
) -> None:
    assert account.recovery_code
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server.base_url}/webmail/")
    page.get_by_label("Email", exact=True).fill(account.address)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("navigation", name="Mailboxes").get_by_role("button", name="Inbox").wait_for()
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("heading", name="Settings", exact=True).wait_for()

    fresh = strong_password()
    page.get_by_label("Current recovery code", exact=True).fill(account.recovery_code)
    page.get_by_label("Password after recovery", exact=True).fill(fresh)
    page.get_by_label("Repeat password after recovery", exact=True).fill(fresh)
    page.get_by_role("button", name="Replace recovery code").click()
    shown = page.locator("#recovery-code-secret")
    shown.wait_for()
    code = shown.inner_text().strip()
    assert code and code != account.recovery_code
    page.locator("#recovery-settings").get_by_role("button", name="Done").click()
    expect(page.locator("#recovery-code-secret")).to_have_count(0)

    assert _login(server, account.address, fresh) == 200
    assert _login(server, account.address, account.password) != 200
    assert _recover(server, account.address, account.recovery_code, strong_password()) != 200
    assert _recover(server, account.address, code, strong_password()) == 200
