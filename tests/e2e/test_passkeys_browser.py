"""Passkeys in a real Chromium with the CDP virtual authenticator (WebAuthn domain, ctap2,
internal, resident key, user verification, PRF): register a passkey in a signed-in
session, sign out, sign in with the passkey alone and see the mailboxes, whose names only
MK unseals (so the PRF output unwrapped MK).

The passkeys section is in Settings. The server's hostname is localhost: browsers refuse
IP addresses as RP IDs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.cli_accounts import CliAccount, add_account, checked_cli
from support.environment import free_port, sealbox_environment
from support.server import RunningServer, start_server

pytestmark = pytest.mark.slow

DOMAIN = "passkeys-browser.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("passkeys-browser") / "data"
    port = free_port()
    env = sealbox_environment(data_dir, SEALBOX_HTTP_PORT=str(port), SEALBOX_HOSTNAME="localhost")
    running = start_server(data_dir, env, port)
    try:
        checked_cli(env, "domain", "add", DOMAIN)
        yield running
    finally:
        assert running.stop() == 0, "\n".join(running.output)


@pytest.fixture(scope="module")
def alice(server: RunningServer) -> CliAccount:
    return add_account(server.env, DOMAIN, name="Alice")


def _virtual_authenticator(context: Any, page: Any) -> str:
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "ctap2Version": "ctap2_1",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "hasPrf": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return str(added["authenticatorId"])


def test_register_a_passkey_then_sign_in_with_it_alone(
    browser_context: Any, server: RunningServer, alice: CliAccount, screenshots: Path
) -> None:
    page = browser_context.new_page()
    page.set_default_timeout(15_000)
    _virtual_authenticator(browser_context, page)
    page.goto(f"https://localhost:{server.http_port}/webmail/")
    page.get_by_label("Email").fill(alice.address)
    page.get_by_label("Password").fill(alice.password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    nav = page.get_by_role("navigation", name="Mailboxes")
    nav.get_by_role("button", name="Inbox").wait_for()
    page.get_by_role("button", name="Settings").click()

    section = page.locator("#passkeys-settings")
    section.get_by_label("Passkey name").fill("Virtual key")
    section.get_by_role("button", name="Add a passkey").click()
    section.get_by_text("Passkey added").wait_for()
    message = section.get_by_role("alert").inner_text()
    section.get_by_text("Virtual key").wait_for()
    assert "without your password" in message, message
    assert section.get_by_text("unlocks your mail").count() == 1
    page.screenshot(path=str(screenshots / "passkeys-section.png"))

    page.get_by_role("button", name="Back to mail").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in with a passkey").wait_for()
    page.get_by_role("button", name="Sign in with a passkey").click()
    nav = page.get_by_role("navigation", name="Mailboxes")
    nav.get_by_role("button", name="Inbox").wait_for()
    for name in ("Drafts", "Sent", "Trash"):
        assert nav.get_by_role("button", name=name).count() == 1
    page.close()


def test_removing_the_last_passkey_asks_the_authenticator_first(
    browser_context: Any, server: RunningServer, screenshots: Path
) -> None:
    """The server answers 403 passkeyProofRequired to a bare removal of the last second
    factor; the page fetches /remove/options, gets a fresh assertion and removes it."""
    bob = add_account(server.env, DOMAIN, name="Bob")
    browser_context.clear_cookies()  # the test before left Alice signed in
    page = browser_context.new_page()
    page.set_default_timeout(15_000)
    _virtual_authenticator(browser_context, page)
    answers: list[tuple[str, str, int]] = []
    page.on(
        "response",
        lambda r: (
            answers.append((r.request.method, r.url.split("/auth/")[-1], r.status))
            if "/auth/passkeys" in r.url
            else None
        ),
    )
    page.goto(f"https://localhost:{server.http_port}/webmail/")
    page.get_by_label("Email").fill(bob.address)
    page.get_by_label("Password").fill(bob.password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("navigation", name="Mailboxes").get_by_role("button", name="Inbox").wait_for()
    page.get_by_role("button", name="Settings").click()
    section = page.locator("#passkeys-settings")
    section.get_by_label("Passkey name").fill("Only key")
    section.get_by_role("button", name="Add a passkey").click()
    section.get_by_text("Passkey added").wait_for()

    section.get_by_role("button", name="Remove passkey Only key").click()
    section.get_by_text("No passkeys yet.").wait_for()
    deletes = [(path, status) for method, path, status in answers if method == "DELETE"]
    assert [status for _, status in deletes] == [403, 204], answers
    assert ("POST", "passkeys/remove/options", 200) in answers
    assert section.locator("[role=alert]").inner_text().strip() == ""  # no error shown
    page.screenshot(path=str(screenshots / "passkeys-removed.png"))
    page.close()
