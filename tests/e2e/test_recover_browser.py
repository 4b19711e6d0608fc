"""Recovering deleted mail in a real Chromium against a real `sealbox serve`: a message
Bob sends is deleted, the Trash emptied, and "Recover deleted mail" (Email/listDeleted,
Email/restore under urn:sealbox:retention) brings it back to Alice's Inbox. The same
dialog opens from Settings, and a per-message error shows on its row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.jmap_https import HttpsNode
from support.server import RunningServer
from support.webmail_page import sign_in_page, wait_for

pytestmark = pytest.mark.slow

DOMAIN = "recover.example"
TIMEOUT_MS = 15_000
SUBJECT = "Quarterly figures"


@pytest.fixture(scope="module")
def page(browser_context: Any, server: RunningServer, alice: HttpsNode) -> Any:
    page = browser_context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server.base_url}/webmail/")
    sign_in_page(page, alice.account.address, alice.account.password)
    yield page
    page.close()


def _row(page: Any, subject: str) -> Any:
    return page.locator("button.message", has_text=subject)


def test_deleted_and_purged_from_trash_then_restored_to_the_inbox(
    page: Any, alice: HttpsNode, bob: HttpsNode, screenshots: Path
) -> None:
    bob.send(alice.account.address, SUBJECT, "See the attached numbers.")
    wait_for(lambda: alice.find(SUBJECT), "the message in Alice's inbox")
    nav = page.get_by_role("navigation", name="Mailboxes")

    _row(page, SUBJECT).click()  # pushed into the open Inbox
    page.get_by_role("button", name="Delete", exact=True).click()
    _row(page, SUBJECT).wait_for(state="detached")
    nav.get_by_role("button", name="Trash").click()
    _row(page, SUBJECT).wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Empty Trash").click()
    page.get_by_role("status").filter(has_text="Trash emptied").wait_for()
    assert alice.find(SUBJECT) == [] and alice.find(SUBJECT, role="trash") == []
    [deleted] = [d for d in alice.one("Email/listDeleted")["list"] if d["subject"] == SUBJECT]

    page.get_by_role("button", name="Recover deleted mail").click()
    dialog = page.get_by_role("dialog", name="Recover deleted mail")
    entry = dialog.locator("li", has_text=SUBJECT)
    entry.wait_for()
    text = entry.inner_text()
    assert "30 days left" in text and bob.account.address in text, text
    assert dialog.get_by_role("button", name="Restore selected").is_disabled()
    page.screenshot(path=str(screenshots / "desktop-recover.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(color_scheme="dark")
    try:
        box = entry.get_by_role("button", name=f"Restore {SUBJECT}").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390  # no sideways scrolling
        page.screenshot(path=str(screenshots / "phone-recover-dark.png"))
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.emulate_media(color_scheme="light")

    entry.get_by_role("checkbox", name=f"Select {SUBJECT}").check()
    dialog.get_by_role("button", name="Restore selected (1)").click()
    dialog.get_by_role("status").filter(has_text="Restored 1 message.").wait_for()
    entry.wait_for(state="detached")
    dialog.get_by_role("button", name="Close").click()

    nav.get_by_role("button", name="Inbox").click()
    _row(page, SUBJECT).wait_for()
    [back] = alice.find(SUBJECT)
    assert back["id"] != deleted["id"]  # a new email: JMAP ids are never reused
    assert all(d["id"] != deleted["id"] for d in alice.one("Email/listDeleted")["list"])


def test_from_settings_restoring_what_is_no_longer_kept_says_so_on_its_row(
    page: Any, alice: HttpsNode
) -> None:
    subject = "Gone twice"
    inbox = alice.mailboxes()["inbox"]
    created = alice.one(
        "Email/set",
        create={
            "g": {
                "mailboxIds": {inbox: True},
                "subject": subject,
                "from": [{"email": "dave@example.org"}],
                "textBody": [{"partId": "1", "type": "text/plain"}],
                "bodyValues": {"1": {"value": "x"}},
            }
        },
    )["created"]["g"]["id"]
    assert alice.one("Email/set", destroy=[created])["destroyed"] == [created]
    page.get_by_role("button", name="Settings").click()
    deleted = page.get_by_role("region", name="Deleted mail")
    assert "30 days" in deleted.inner_text()
    deleted.get_by_role("button", name="Recover deleted mail").click()
    dialog = page.get_by_role("dialog", name="Recover deleted mail")
    entry = dialog.locator("li", has_text=subject)
    entry.wait_for()
    assert alice.one("Email/restore", ids=[created])["restored"]  # restored elsewhere first
    entry.get_by_role("button", name=f"Restore {subject}").click()
    assert "no longer kept" in entry.get_by_role("alert").inner_text()
    dialog.get_by_role("button", name="Close").click()
    dialog.wait_for(state="detached")
    page.get_by_role("button", name="Back to mail").click()
    page.get_by_role("navigation", name="Mailboxes").wait_for()
