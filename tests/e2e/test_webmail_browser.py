"""The webmail in a real Chromium against a real `sealbox serve`: sign in with a password, read
plain and HTML mail, reply to a second local account that receives it, flag, archive, delete,
see new mail arrive by push without a reload, and the phone-width layout.

One scenario per test, in order, on one signed-in page: each step starts where the last ended,
as a person's session would.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from support.jmap_https import HttpsNode
from support.server import RunningServer
from support.webmail_page import sign_in_page
from support.webmail_page import wait_for as _wait_for

pytestmark = pytest.mark.slow

DOMAIN = "webmail.example"
TIMEOUT_MS = 15_000
LUNCH_BODY = "Shall we meet at noon?\r\nSee https://example.org/menu\r\n"


def _plain(sender: str, to: str, subject: str, body: str, message_id: str) -> bytes:
    return (
        f"From: Bob <{sender}>\r\nTo: Alice <{to}>\r\nSubject: {subject}\r\n"
        f"Date: Tue, 01 Dec 2026 09:30:00 +0100\r\nMessage-ID: <{message_id}>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    ).encode()


def _html_with_attachment(sender: str, to: str) -> bytes:
    html = (
        "<html><body><h1>Quarterly report</h1><p>Numbers are <b>up</b>."
        '<img src="https://tracker.example.net/pixel.png" alt="tracker"></p>'
        "<script>document.title='pwned'</script>"
        '<p><a href="https://example.org/report" onclick="alert(1)">Full report</a></p>'
        "</body></html>"
    )
    return (
        f"From: Carol <{sender}>\r\nTo: {to}\r\nSubject: Quarterly report\r\n"
        "Date: Mon, 30 Nov 2026 10:00:00 +0100\r\nMessage-ID: <html1@example.net>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        f"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n"
        '--b1\r\nContent-Type: text/plain; name="figures.txt"\r\n'
        'Content-Disposition: attachment; filename="figures.txt"\r\n\r\n'
        "revenue,42\r\n--b1--\r\n"
    ).encode()


@pytest.fixture(scope="module")
def mail(alice: HttpsNode, bob: HttpsNode) -> dict[str, str]:
    """Alice's inbox: a plain-text note from Bob, an HTML mail with a tracker and a file."""
    me, him = alice.account.address, bob.account.address
    return {
        "html": alice.import_email(
            _html_with_attachment("carol@example.net", me), receivedAt="2026-11-30T09:00:00Z"
        ),
        "plain": alice.import_email(
            _plain(him, me, "Lunch plan", LUNCH_BODY, "lunch1@example.net"),
            receivedAt="2026-12-01T08:30:00Z",
        ),
    }  # fmt: skip


@pytest.fixture(scope="module")
def page(browser_context: Any, server: RunningServer, mail: dict[str, str]) -> Any:
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server.base_url}/webmail/")
    return page


def _actions(page: Any) -> Any:
    return page.get_by_role("toolbar", name="Message actions")


def _nav(page: Any) -> Any:
    return page.get_by_role("navigation", name="Mailboxes")


def _row(page: Any, subject: str) -> Any:
    return page.locator("button.message", has_text=subject)


def test_sign_in_with_a_password_shows_the_inbox(
    page: Any, alice: HttpsNode, screenshots: Path
) -> None:
    sign_in_page(page, alice.account.address, alice.account.password)
    inbox = page.get_by_role("navigation", name="Mailboxes").get_by_role("button", name="Inbox")
    inbox.wait_for()
    assert re.search(r"Inbox\s*2 unread", inbox.inner_text().replace("\n", " "))
    for name in ("Drafts", "Sent", "Archive", "Trash"):
        assert page.get_by_role("button", name=name).count() == 1
    _row(page, "Lunch plan").wait_for()
    rows = page.locator("button.message").all_inner_texts()
    assert "Lunch plan" in rows[0] and "Quarterly report" in rows[1], rows  # newest first
    page.screenshot(path=str(screenshots / "desktop-inbox.png"))


def test_reading_plain_text_marks_it_read(
    page: Any, alice: HttpsNode, mail: dict[str, str]
) -> None:
    _row(page, "Lunch plan").click()
    reader = page.get_by_role("region", name="Message", exact=True)
    reader.get_by_role("heading", name="Lunch plan").wait_for()
    text = reader.locator(".plain")
    assert "Shall we meet at noon?" in text.inner_text()
    assert text.get_by_role("link", name="https://example.org/menu").count() == 1
    headers = reader.get_by_label("Message headers")
    assert not headers.is_visible()
    reader.get_by_text("Show headers").click()
    assert "Subject: Lunch plan" in headers.inner_text()
    _wait_for(lambda: alice.find("Lunch plan")[0]["keywords"].get("$seen"), "$seen on the server")
    _row(page, "Lunch plan").and_(page.locator(":not(.unread)")).wait_for()
    inbox = page.get_by_role("button", name="Inbox")
    assert "1 unread" in inbox.inner_text().replace("\n", " ")


def test_flag_and_unflag(page: Any, alice: HttpsNode) -> None:
    page.get_by_role("button", name="Flag", exact=True).click()
    page.get_by_role("button", name="Unflag").wait_for()
    assert alice.find("Lunch plan")[0]["keywords"].get("$flagged") is True
    assert _row(page, "Lunch plan").get_by_label("Flagged").count() == 1
    page.get_by_role("button", name="Unflag").click()
    page.get_by_role("button", name="Flag", exact=True).wait_for()
    assert "$flagged" not in alice.find("Lunch plan")[0]["keywords"]


def test_reply_reaches_the_second_account(
    page: Any, alice: HttpsNode, bob: HttpsNode, screenshots: Path
) -> None:
    page.get_by_role("button", name="Reply", exact=True).click()
    assert page.get_by_label("To").input_value() == f"Bob <{bob.account.address}>"
    assert page.get_by_label("Subject").input_value() == "Re: Lunch plan"
    message = page.get_by_role("textbox", name="Message")
    assert "> Shall we meet at noon?" in message.input_value()
    message.press("Control+Home")
    message.type("Noon works for me.")
    page.screenshot(path=str(screenshots / "desktop-reply.png"))
    page.get_by_role("button", name="Send").click()
    page.get_by_role("status").filter(has_text="Message sent.").wait_for()

    [received] = _wait_for(lambda: bob.find("Re: Lunch plan"), "the reply in Bob's inbox")
    assert received["inReplyTo"] == ["lunch1@example.net"]
    assert received["from"][0]["email"] == alice.account.address
    [sent] = alice.find("Re: Lunch plan", role="sent")
    assert "$draft" not in sent["keywords"]
    assert alice.find("Re: Lunch plan", role="drafts") == []
    assert alice.find("Lunch plan")[0]["keywords"].get("$answered") is True


def test_html_mail_is_sandboxed_and_remote_images_wait(
    page: Any, server: RunningServer, screenshots: Path
) -> None:
    page.keyboard.press("j")  # the next message down the list
    reader = page.get_by_role("region", name="Message", exact=True)
    reader.get_by_role("heading", name="Quarterly report").wait_for()
    frame_element = reader.locator("iframe.html-body")
    sandbox = frame_element.get_attribute("sandbox") or ""
    assert "allow-scripts" not in sandbox and "allow-same-origin" not in sandbox
    frame = page.frame_locator("iframe.html-body")
    frame.get_by_role("heading", name="Quarterly report").wait_for()
    assert frame.locator("script").count() == 0
    assert frame.locator("img").get_attribute("src") is None
    assert frame.locator("a").get_attribute("onclick") is None
    assert page.title() == "Sealbox"

    link = reader.get_by_role("link", name="figures.txt")
    downloaded = page.request.get(server.base_url + (link.get_attribute("href") or ""))
    assert downloaded.status == 200 and downloaded.text().strip() == "revenue,42"
    page.screenshot(path=str(screenshots / "desktop-html-message.png"))

    page.get_by_role("button", name="Show images", exact=True).click()
    page.get_by_role("button", name="Show images", exact=True).wait_for(state="detached")
    src = page.frame_locator("iframe.html-body").locator("img").get_attribute("src")
    assert src == "https://tracker.example.net/pixel.png"


def test_new_mail_appears_by_push(page: Any, alice: HttpsNode, bob: HttpsNode) -> None:
    before = page.evaluate("() => performance.getEntriesByType('navigation').length")
    page.evaluate("() => { window.__sameDocument = true; }")
    bob.send(alice.account.address, "Pushed hello", "Did this arrive without a reload?")
    _row(page, "Pushed hello").wait_for()
    assert page.evaluate("() => window.__sameDocument") is True  # no reload happened
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == before
    page.locator("button.message").first.filter(has_text="Pushed hello").wait_for()
    page.get_by_role("button", name="Inbox").filter(has_text="1 unread").wait_for()


def test_archive_and_delete(page: Any, alice: HttpsNode) -> None:
    _row(page, "Quarterly report").click()
    page.get_by_role("region", name="Message", exact=True).get_by_role(
        "heading", name="Quarterly report"
    ).wait_for()
    _actions(page).get_by_role("button", name="Archive").click()
    _row(page, "Quarterly report").wait_for(state="detached")
    _wait_for(lambda: alice.find("Quarterly report", role="archive"), "the archived mail")
    assert alice.find("Quarterly report") == []

    _row(page, "Pushed hello").click()
    page.get_by_role("region", name="Message", exact=True).get_by_role(
        "heading", name="Pushed hello"
    ).wait_for()
    _actions(page).get_by_role("button", name="Delete", exact=True).click()
    _row(page, "Pushed hello").wait_for(state="detached")
    [trashed] = _wait_for(lambda: alice.find("Pushed hello", role="trash"), "the mail in Trash")
    assert trashed["mailboxIds"] == {alice.mailboxes()["trash"]: True}
    _nav(page).get_by_role("button", name="Trash").click()
    _row(page, "Pushed hello").wait_for()


def test_phone_width_shows_one_pane_at_a_time(page: Any, screenshots: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Mailboxes").click()
    page.get_by_role("navigation", name="Mailboxes").get_by_role("button", name="Inbox").click()
    _row(page, "Lunch plan").wait_for()
    assert not page.get_by_role("navigation", name="Mailboxes").is_visible()
    page.screenshot(path=str(screenshots / "phone-inbox.png"))
    _row(page, "Lunch plan").click()
    page.get_by_role("button", name="Back").wait_for()
    assert not page.get_by_role("region", name="Messages").is_visible()
    page.screenshot(path=str(screenshots / "phone-message.png"))
    page.get_by_role("button", name="Back").click()
    _row(page, "Lunch plan").wait_for()
    page.get_by_role("button", name="Compose").click()
    page.get_by_label("To").wait_for()
    page.screenshot(path=str(screenshots / "phone-compose.png"))
    page.set_viewport_size({"width": 1280, "height": 800})


def test_dark_mode_follows_the_system_setting(page: Any, screenshots: Path) -> None:
    def background() -> str:
        return str(page.evaluate("getComputedStyle(document.documentElement).backgroundColor"))

    light = background()
    page.emulate_media(color_scheme="dark")
    try:
        assert background() not in (light, "rgb(255, 255, 255)")
        page.get_by_role("navigation", name="Mailboxes").get_by_role("button", name="Inbox").click()
        _row(page, "Lunch plan").click()
        page.get_by_role("region", name="Message", exact=True).get_by_role(
            "heading", name="Lunch plan"
        ).wait_for()
        page.screenshot(path=str(screenshots / "desktop-message-dark.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(screenshots / "phone-message-dark.png"))
        page.get_by_role("button", name="Back").click()
        _row(page, "Lunch plan").wait_for()
        page.screenshot(path=str(screenshots / "phone-inbox-dark.png"))
        page.set_viewport_size({"width": 1280, "height": 800})
        page.get_by_role("button", name="Compose").click()
        page.get_by_label("To").wait_for()
        page.screenshot(path=str(screenshots / "desktop-compose-dark.png"))
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.emulate_media(color_scheme="light")
    assert background() == light
