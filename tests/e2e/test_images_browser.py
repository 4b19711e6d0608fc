"""Remote images per sender in a real Chromium against a real `sealbox serve`: "Always show
images from" a sender is kept server-side (WebmailSettings), honoured for that sender's
later mail after a reload, not for anyone else's, and revoked in Settings.

One signed-in page for the module; each test starts where the last ended.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.jmap_https import HttpsNode
from support.server import RunningServer
from support.webmail_page import signed_in_tab

pytestmark = pytest.mark.slow

DOMAIN = "images.example"
TIMEOUT_MS = 15_000
NEWS = "news@shop.example"
PIXEL = "https://tracker.example.net/pixel.png"


def _html(sender: str, subject: str, message_id: str) -> bytes:
    return (
        f"From: Shop <{sender}>\r\nTo: alice@{DOMAIN}\r\nSubject: {subject}\r\n"
        f"Date: Mon, 30 Nov 2026 10:00:00 +0100\r\nMessage-ID: <{message_id}>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        f'<html><body><h1>{subject}</h1><img src="{PIXEL}" alt="banner"></body></html>\r\n'
    ).encode()


@pytest.fixture(scope="module")
def page(browser_context: Any, server: RunningServer, alice: HttpsNode) -> Any:
    for day, (sender, subject) in enumerate(
        [(NEWS, "Winter sale"), ("other@elsewhere.example", "Other offer"), (NEWS, "Spring sale")]
    ):
        alice.import_email(
            _html(sender, subject, f"m{day}@x"), receivedAt=f"2026-11-0{day + 1}T09:00:00Z"
        )
    page = signed_in_tab(
        browser_context, server.base_url, alice.account.address, alice.account.password, TIMEOUT_MS
    )
    _row(page, "Winter sale").wait_for()
    yield page
    page.close()


def _row(page: Any, subject: str) -> Any:
    return page.locator("button.message", has_text=subject)


def _open(page: Any, subject: str) -> Any:
    _row(page, subject).click()
    page.frame_locator("iframe.html-body").get_by_role("heading", name=subject).wait_for()
    return page.frame_locator("iframe.html-body").locator("img")


def _trusted(alice: HttpsNode) -> list[str]:
    [settings] = alice.one("WebmailSettings/get", ids=None)["list"]
    return list(settings["imageSenders"])


def test_always_show_images_from_a_sender(page: Any, alice: HttpsNode) -> None:
    image = _open(page, "Winter sale")
    assert image.get_attribute("src") is None
    page.get_by_role("button", name=f"Always show images from {NEWS}").click()
    page.get_by_role("button", name="Show images", exact=True).wait_for(state="detached")
    assert page.frame_locator("iframe.html-body").locator("img").get_attribute("src") == PIXEL
    assert _trusted(alice) == [NEWS]


def test_later_mail_from_that_sender_loads_its_images_after_a_reload(
    page: Any, server: RunningServer
) -> None:
    page.goto(f"{server.base_url}/webmail/")  # the choice is the server's, not this tab's
    _row(page, "Spring sale").wait_for()
    image = _open(page, "Spring sale")
    assert image.get_attribute("src") == PIXEL
    assert page.get_by_role("button", name="Show images", exact=True).count() == 0
    other = _open(page, "Other offer")
    assert other.get_attribute("src") is None
    page.get_by_role("button", name="Show images", exact=True).wait_for()


def test_settings_revokes_the_sender(page: Any, alice: HttpsNode, screenshots: Path) -> None:
    page.get_by_role("button", name="Settings").click()
    section = page.locator("#images-settings")
    section.get_by_text(NEWS).wait_for()
    page.emulate_media(color_scheme="dark")
    try:
        section.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / "desktop-settings-dark.png"))
    finally:
        page.emulate_media(color_scheme="light")
    section.get_by_role("button", name=f"Stop showing images from {NEWS}").click()
    section.get_by_text(f"Images from {NEWS} are blocked again.").wait_for()
    assert _trusted(alice) == []
    page.get_by_role("button", name="Back to mail").click()
    image = _open(page, "Spring sale")
    page.get_by_role("button", name="Show images", exact=True).wait_for()
    assert image.get_attribute("src") is None
