"""Settings in a real Chromium against a real `sealbox serve` with IMAPS on: create an app
password and sign in with it by imaplib, set a vacation response and the search switch and
read them back by JMAP,
enrol TOTP from the shown key and sign in again with a code, change the password and sign
in with the new one.

One scenario per test, in order, on one page, as a person's session would go.
"""

from __future__ import annotations

import imaplib
import re
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from playwright.sync_api import expect
from support.cli_accounts import CliAccount, add_account, checked_cli, strong_password
from support.environment import free_port, sealbox_environment
from support.server import RunningServer, https_client, start_server

pytestmark = pytest.mark.slow

DOMAIN = "settings-ui.example"
TIMEOUT_MS = 15_000


@dataclass
class Person:
    account: CliAccount
    password: str
    app_password: str = ""
    totp: pyotp.TOTP | None = None


@pytest.fixture(scope="module")
def imaps_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, imaps_port: int) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("settings-ui") / "data"
    port = free_port()
    env = sealbox_environment(
        data_dir,
        SEALBOX_HTTP_PORT=str(port),
        SEALBOX_IMAPS_PORT=str(imaps_port),
        SEALBOX_HOSTNAME="127.0.0.1",
    )
    running = start_server(data_dir, env, port)
    try:
        checked_cli(env, "domain", "add", DOMAIN)
        yield running
    finally:
        assert running.stop() == 0, "\n".join(running.output)


@pytest.fixture(scope="module")
def person(server: RunningServer) -> Person:
    account = add_account(server.env, DOMAIN, name="Dana")
    return Person(account=account, password=account.password)


@pytest.fixture(scope="module")
def page(browser_context: Any, server: RunningServer) -> Any:
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{server.base_url}/webmail/")
    return page


def _sign_in(page: Any, person: Person) -> None:
    page.get_by_label("Email", exact=True).fill(person.account.address)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if person.totp is not None:
        page.get_by_label("Authentication code", exact=True).fill(_fresh_code(person.totp))
        page.get_by_role("button", name="Verify").click()
    page.get_by_role("button", name="Settings").wait_for()


def _sign_out(page: Any) -> None:
    page.get_by_role("button", name="Back to mail").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in", exact=True).wait_for()


def _open_settings(page: Any) -> None:
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("heading", name="Settings", exact=True).wait_for()


_last_step = [0]


def _fresh_code(totp: pyotp.TOTP) -> str:
    """A code from a step no earlier request used (each is accepted once); the server takes
    one step either side of now, so this waits when the next unused step is too far ahead."""
    while True:
        now_step = int(time.time()) // 30
        step = max(now_step, _last_step[0] + 1)
        if step <= now_step + 1:
            _last_step[0] = step
            return totp.at(step * 30)
        time.sleep(1)


def _message(page: Any, section_id: str) -> Any:
    return page.locator(f"#{section_id} .settings-message")


def _assert_checkbox_rows(page: Any) -> None:
    """Each on/off switch is a box with its label beside it, on one line, as usual."""
    for name in ("Search the text of my mail", "Send a vacation response"):
        box = page.get_by_role("checkbox", name=name).bounding_box()
        label = page.locator("label", has_text=name).bounding_box()
        assert box is not None and label is not None, name
        assert box["width"] < 40, (name, box)  # a box, not stretched across the form
        assert box["x"] + box["width"] <= label["x"], (name, box, label)  # left of its label
        middle = box["y"] + box["height"] / 2
        assert label["y"] <= middle <= label["y"] + label["height"], (name, box, label)


def test_settings_opens_from_the_top_bar(page: Any, person: Person, screenshots: Path) -> None:
    _sign_in(page, person)
    _open_settings(page)
    assert page.locator("#passkeys-settings").count() == 1
    for label in ("Current password", "New password", "App password name", "Vacation subject"):
        assert page.get_by_label(label, exact=True).count() == 1, label
    page.get_by_label(f"Name for {person.account.address}").wait_for()
    _assert_checkbox_rows(page)
    page.screenshot(path=str(screenshots / "desktop-settings.png"), full_page=True)
    search = page.locator("#search-settings")
    search.screenshot(path=str(screenshots / "desktop-settings-search.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    _assert_checkbox_rows(page)
    page.emulate_media(color_scheme="dark")
    search.screenshot(path=str(screenshots / "phone-settings-search-dark.png"))
    page.emulate_media(color_scheme="light")
    page.screenshot(path=str(screenshots / "phone-settings.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_app_password_from_settings_signs_in_to_imaps(
    page: Any, person: Person, server: RunningServer, imaps_port: int
) -> None:
    page.get_by_label("App password name", exact=True).fill("imaplib test")
    page.get_by_role("button", name="Create app password").click()
    secret = page.locator("#app-password-secret").inner_text().strip()
    assert secret
    page.get_by_role("list", name="App passwords").get_by_text("imaplib test").wait_for()
    person.app_password = secret
    context = ssl.create_default_context(cafile=str(server.cert_path))
    imap = imaplib.IMAP4_SSL("127.0.0.1", imaps_port, ssl_context=context, timeout=30)
    try:
        assert imap.login(person.account.address, secret)[0] == "OK"
        assert imap.select("INBOX")[0] == "OK"
    finally:
        imap.logout()


def test_vacation_response_set_in_settings_is_seen_by_jmap(
    page: Any, person: Person, server: RunningServer
) -> None:
    page.get_by_label("Send a vacation response", exact=True).check()
    page.get_by_label("Vacation subject", exact=True).fill("Away until Monday")
    page.get_by_label("Vacation message", exact=True).fill("I am hiking; back on Monday.")
    page.get_by_role("button", name="Save vacation response").click()
    _message(page, "vacation-settings").get_by_text("Vacation response is on.").wait_for()
    with https_client(
        server, auth=httpx.BasicAuth(person.account.address, person.app_password)
    ) as client:
        session = client.get("/.well-known/jmap", follow_redirects=True).json()
        account_id = session["primaryAccounts"]["urn:ietf:params:jmap:mail"]
        response = client.post(
            session["apiUrl"],
            json={
                "using": ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:vacationresponse"],
                "methodCalls": [["VacationResponse/get", {"accountId": account_id}, "v"]],
            },
        )
    [[name, result, _]] = response.json()["methodResponses"]
    assert name == "VacationResponse/get", result
    [vacation] = result["list"]
    assert vacation["isEnabled"] is True
    assert vacation["subject"] == "Away until Monday"
    assert vacation["textBody"] == "I am hiking; back on Monday."


def _search_enabled(server: RunningServer, person: Person) -> bool:
    with https_client(
        server, auth=httpx.BasicAuth(person.account.address, person.app_password)
    ) as client:
        session = client.get("/.well-known/jmap", follow_redirects=True).json()
        account_id = session["primaryAccounts"]["urn:sealbox:search"]
        response = client.post(
            session["apiUrl"],
            json={
                "using": ["urn:ietf:params:jmap:core", "urn:sealbox:search"],
                "methodCalls": [["SearchSettings/get", {"accountId": account_id}, "s"]],
            },
        )
    [[name, result, _]] = response.json()["methodResponses"]
    assert name == "SearchSettings/get", result
    return bool(result["list"][0]["enabled"])


def test_search_switch_in_settings_is_seen_by_jmap(
    page: Any, person: Person, server: RunningServer
) -> None:
    switch = page.get_by_label("Search the text of my mail", exact=True)
    expect(switch).to_be_enabled()
    was = _search_enabled(server, person)
    assert switch.is_checked() is was
    switch.set_checked(not was)
    page.get_by_role("button", name="Save search setting").click()
    word = "on" if not was else "off"
    _message(page, "search-settings").get_by_text(f"Search is {word}").wait_for()
    assert _search_enabled(server, person) is (not was)
    switch.set_checked(was)
    page.get_by_role("button", name="Save search setting").click()
    _message(page, "search-settings").get_by_text(f"Search is {'on' if was else 'off'}").wait_for()
    assert _search_enabled(server, person) is was


def test_totp_enrolled_in_settings_is_asked_at_next_sign_in(page: Any, person: Person) -> None:
    page.get_by_role("button", name="Set up two-step sign-in").click()
    page.get_by_role("img", name="QR code for your authenticator app").wait_for()
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    assert secret and "".join(page.locator("#totp-secret").inner_text().split()) == secret
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from your app", exact=True).fill(
        "000000" if totp.now() != "000000" else "111111"
    )
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    _message(page, "totp-settings").get_by_role("alert").or_(
        page.locator("#totp-settings .settings-message[role=alert]")
    ).first.wait_for()
    page.get_by_label("Code from your app", exact=True).fill(_fresh_code(totp))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_text("Two-step sign-in is on.", exact=True).wait_for()
    person.totp = totp
    _sign_out(page)
    _sign_in(page, person)


def test_changed_password_signs_in(page: Any, person: Person) -> None:
    _open_settings(page)
    local_part = person.account.address.split("@")[0]
    page.get_by_label("Current password", exact=True).fill(person.password)
    page.get_by_label("New password", exact=True).fill(f"{local_part}-{strong_password()}")
    page.get_by_label("Repeat new password", exact=True).fill(f"{local_part}-{strong_password()}")
    page.get_by_role("button", name="Change password").click()
    _message(page, "password-settings").get_by_text("before @").wait_for()  # refused here
    page.get_by_label("New password", exact=True).fill("aaaaaaaaaaaaaaaa")
    page.get_by_label("Repeat new password", exact=True).fill("aaaaaaaaaaaaaaaa")
    page.get_by_role("button", name="Change password").click()
    weak = _message(page, "password-settings")
    # The server's zxcvbn verdict replaces the client-side refusal, shown as an error.
    expect(weak).not_to_have_text(re.compile("before @"))
    expect(weak).to_have_attribute("data-kind", "error")
    assert "Password changed" not in weak.inner_text()
    new_password = strong_password("renewed")
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Repeat new password", exact=True).fill(new_password)
    page.get_by_role("button", name="Change password").click()
    weak.get_by_text("Password changed").wait_for()
    person.password = new_password
    _sign_out(page)
    _sign_in(page, person)
