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
from support.webmail_page import signed_in_tab, wait_for

pytestmark = pytest.mark.slow

DOMAIN = "recover.example"
TIMEOUT_MS = 15_000
SUBJECT = "Quarterly figures"


@pytest.fixture(scope="module")
def page(browser_context: Any, server: RunningServer, alice: HttpsNode) -> Any:
    page = signed_in_tab(
        browser_context, server.base_url, alice.account.address, alice.account.password, TIMEOUT_MS
    )
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


def test_the_dialog_pages_through_the_server(page: Any, alice: HttpsNode) -> None:
    """55 deleted: the dialog asks for 50 at a time (position, limit), never the whole list."""
    inbox = alice.mailboxes()["inbox"]
    create = {
        f"p{n}": {
            "mailboxIds": {inbox: True},
            "subject": f"Paged {n:02}",
            "from": [{"email": "erin@example.org"}],
            "textBody": [{"partId": "1", "type": "text/plain"}],
            "bodyValues": {"1": {"value": "x"}},
        }
        for n in range(55)
    }
    created = alice.one("Email/set", create=create)["created"]
    alice.one("Email/set", destroy=[c["id"] for c in created.values()])
    asked: list[dict[str, Any]] = []

    def listed(request: Any) -> None:
        if request.method == "POST" and "/jmap/api" in request.url:
            for name, args, _ in request.post_data_json["methodCalls"]:
                if name == "Email/listDeleted":
                    asked.append(args)

    page.on("request", listed)
    try:
        page.get_by_role("navigation", name="Mailboxes").get_by_role("button", name="Trash").click()
        page.get_by_role("button", name="Recover deleted mail").click()
        dialog = page.get_by_role("dialog", name="Recover deleted mail")
        dialog.get_by_role("status").filter(has_text="55 deleted messages kept.").wait_for()
        assert dialog.locator("li").count() == 50
        pager = dialog.get_by_role("navigation", name="Pages of deleted mail")
        assert "Page 1 of 2" in pager.inner_text()
        dialog.get_by_role("button", name="Next page").click()
        pager.get_by_text("Page 2 of 2").wait_for()
        assert dialog.locator("li").count() == 5
        dialog.get_by_role("button", name="Close").click()
    finally:
        page.remove_listener("request", listed)
    assert [(a.get("position"), a.get("limit")) for a in asked] == [(0, 50), (50, 50)]
