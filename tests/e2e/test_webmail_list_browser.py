"""The webmail's list side in a real Chromium against a real `sealbox serve`: the search box
narrows the list by JMAP Email/query, and a long mailbox scrolls page by page.

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

DOMAIN = "list.example"
TIMEOUT_MS = 15_000
BULK = 300


def _create(sender: str, subject: str, body: str, day: int) -> dict[str, Any]:
    return {
        "from": [{"name": sender.split("@")[0].title(), "email": sender}],
        "subject": subject,
        "receivedAt": f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}T09:00:00Z",
        "textBody": [{"partId": "1", "type": "text/plain"}],
        "bodyValues": {"1": {"value": body}},
    }


def _create_all(node: HttpsNode, emails: list[dict[str, Any]]) -> None:
    inbox = {node.mailboxes()["inbox"]: True}
    for start in range(0, len(emails), 100):
        chunk = {
            f"e{start + i}": {"mailboxIds": inbox, **e}
            for i, e in enumerate(emails[start : start + 100])
        }
        result = node.one("Email/set", create=chunk)
        assert not result.get("notCreated"), result


@pytest.fixture(scope="module")
def alice(alice: HttpsNode) -> HttpsNode:
    """The shared Alice, with a long inbox: bulk mail, two senders' budgets, one thread."""
    node = alice
    bulk = [
        _create("bulk@example.org", f"Bulk {i:03d}", f"Filler number {i}.", i) for i in range(BULK)
    ]
    named = [
        _create("dave@example.org", "Budget plan 2027", "Numbers attached.", 330),
        _create("dave@example.org", "Lunch on Friday", "Pizza?", 331),
        _create("erin@example.org", "Budget plan review", "Looks fine.", 332),
        {**_create("fay@example.org", "Trip notes", "Day one.", 320), "messageId": ["trip@x"]},
        {
            **_create("gus@example.org", "Re: Trip notes", "Day two.", 321),
            "messageId": ["trip2@x"],
            "inReplyTo": ["trip@x"],
            "references": ["trip@x"],
        },
    ]
    _create_all(node, bulk + named)
    return node


@pytest.fixture(scope="module")
def page(browser_context: Any, server: RunningServer, alice: HttpsNode) -> Any:
    page = signed_in_tab(
        browser_context, server.base_url, alice.account.address, alice.account.password, TIMEOUT_MS
    )
    _row(page, "Budget plan review").wait_for()
    yield page
    page.close()


def _row(page: Any, subject: str) -> Any:
    return page.locator("button.message", has_text=subject)


def _subjects(page: Any) -> list[str]:
    return [s.strip() for s in page.locator("button.message .subject").all_inner_texts()]


def test_search_shows_only_matches_and_escape_clears(page: Any, screenshots: Path) -> None:
    page.locator("body").press("/")
    box = page.get_by_role("searchbox", name="Search mail")
    assert page.evaluate("() => document.activeElement?.getAttribute('aria-label')") == (
        "Search mail"
    )
    box.fill('from:dave subject:"budget plan"')
    box.press("Enter")
    page.get_by_role("heading", name="Search in Inbox").wait_for()
    _row(page, "Bulk 299").wait_for(state="detached")
    _row(page, "Budget plan 2027").wait_for()
    assert _subjects(page) == ["Budget plan 2027"]
    page.screenshot(path=str(screenshots / "desktop-search.png"))

    box.fill("lunch")  # free text: the full-text index, or subject and sender without it
    box.press("Enter")
    _row(page, "Lunch on Friday").wait_for()
    assert _subjects(page) == ["Lunch on Friday"]

    box.press("Escape")
    assert box.input_value() == ""
    page.get_by_role("heading", name="Inbox", exact=True).wait_for()
    _row(page, "Bulk 299").wait_for()
    assert len(_subjects(page)) > 3


def test_a_long_mailbox_keeps_few_rows_and_scrolls_to_the_last(
    page: Any, screenshots: Path
) -> None:
    pane = page.get_by_role("region", name="Messages")
    rows = page.locator("ul.messages > li")
    assert 0 < rows.count() < 60, rows.count()
    for _ in range(20):  # each scroll to the end loads the next page by position
        pane.evaluate("pane => { pane.scrollTop = pane.scrollHeight; }")
        if _row(page, "Bulk 000").count():
            break
        page.wait_for_timeout(300)
    _row(page, "Bulk 000").wait_for()
    assert _row(page, "Bulk 000").is_visible()
    assert rows.count() < 60, rows.count()
    assert _row(page, "Budget plan review").count() == 0  # the top rows left the DOM
    page.screenshot(path=str(screenshots / "desktop-list-bottom.png"))
    pane.evaluate("pane => { pane.scrollTop = 0; }")
    _row(page, "Budget plan review").wait_for()


def _tick(page: Any, subject: str) -> Any:
    return page.get_by_role("checkbox", name=f"Select {subject}")


def test_select_a_range_and_act_on_it(page: Any, alice: HttpsNode, screenshots: Path) -> None:
    _tick(page, "Budget plan review").click()
    _tick(page, "Budget plan 2027").click(modifiers=["Shift"])
    bar = page.get_by_role("toolbar", name="Selected messages")
    bar.get_by_text("3 selected").wait_for()
    page.screenshot(path=str(screenshots / "desktop-multi-select.png"))
    bar.get_by_role("button", name="Mark read").click()
    bar.wait_for(state="hidden")
    for subject in ("Budget plan review", "Lunch on Friday", "Budget plan 2027"):
        [email] = alice.find(subject)
        assert email["keywords"].get("$seen") is True, subject

    _tick(page, "Budget plan review").click()
    _tick(page, "Lunch on Friday").click()
    bar.get_by_label("Move selection").select_option(label="Archive")
    _row(page, "Lunch on Friday").wait_for(state="detached")
    assert _row(page, "Budget plan review").count() == 0
    assert len(alice.find("Budget plan review", role="archive")) == 1
    assert len(alice.find("Lunch on Friday", role="archive")) == 1


def test_drag_rows_onto_a_mailbox_and_empty_them_from_trash(page: Any, alice: HttpsNode) -> None:
    nav = page.get_by_role("navigation", name="Mailboxes")
    _row(page, "Bulk 299").drag_to(nav.get_by_role("button", name="Trash"))
    _row(page, "Bulk 299").wait_for(state="detached")
    assert len(alice.find("Bulk 299", role="trash")) == 1

    nav.get_by_role("button", name="Trash").click()
    _tick(page, "Bulk 299").click()
    messages: list[str] = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.get_by_role("toolbar", name="Selected messages").get_by_role(
        "button", name="Delete"
    ).click()
    _row(page, "Bulk 299").wait_for(state="detached")
    assert "30 days" in messages[0]
    assert alice.find("Bulk 299", role="trash") == []


def test_empty_trash_destroys_what_is_only_in_trash(page: Any, alice: HttpsNode) -> None:
    boxes = alice.mailboxes()
    trash, archive = boxes["trash"], boxes["archive"]
    ids = {e["subject"]: e["id"] for e in alice.find("Bulk 1")}  # Bulk 100 to Bulk 199
    also_archived = ids.pop("Bulk 150")
    update = {i: {"mailboxIds": {trash: True}} for i in ids.values()}
    update[also_archived] = {"mailboxIds": {trash: True, archive: True}}
    assert alice.one("Email/set", update=update)["updated"]
    nav = page.get_by_role("navigation", name="Mailboxes")
    nav.get_by_role("button", name="Trash").click()
    _row(page, "Bulk 199").wait_for()
    messages: list[str] = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Empty Trash").click()
    page.get_by_role("status").filter(has_text="Trash emptied").wait_for()
    assert f"all {len(ids) + 1} messages" in messages[0] and "30 days" in messages[0]
    page.get_by_text("No messages here.").wait_for()
    assert alice.one("Email/query", filter={"inMailbox": trash})["ids"] == []
    [kept] = alice.find("Bulk 150", role="archive")
    assert kept["mailboxIds"] == {archive: True}
    deleted = alice.one("Email/listDeleted")["list"]  # kept 30 days, restorable
    assert {d["subject"] for d in deleted} >= set(ids)


def test_threads_view_shows_one_row_per_thread_with_its_count(page: Any) -> None:
    page.get_by_role("navigation", name="Mailboxes").get_by_role("button", name="Inbox").click()
    _row(page, "Trip notes").first.wait_for()
    assert _row(page, "Trip notes").count() == 2
    page.get_by_role("button", name="Threads").click()
    _row(page, "Re: Trip notes").locator(".thread-count", has_text="2").wait_for()
    assert _row(page, "Trip notes").count() == 1
    page.get_by_role("button", name="Threads").click()
    _row(page, "Trip notes").nth(1).wait_for()


def test_question_mark_lists_the_shortcuts(page: Any, screenshots: Path) -> None:
    page.locator("body").press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.wait_for()
    for key in ("j", "k", "r", "a", "f", "c", "/", "e", "#", "x"):
        assert dialog.locator("kbd", has_text=key).count() >= 1, key
    page.screenshot(path=str(screenshots / "desktop-shortcuts.png"))
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")


def test_timing_figures(page: Any) -> None:
    """Printed, not asserted: first inbox render and open-message time in this run."""
    _row(page, "Budget plan 2027").click()
    page.get_by_role("heading", name="Budget plan 2027").wait_for()
    figures = page.evaluate(
        """() => ({
          inbox: performance.getEntriesByName('sealbox:inbox-rendered')[0]?.duration,
          open: performance.getEntriesByName('sealbox:open-message').at(-1)?.duration,
        })"""
    )
    print(
        f"\nwebmail timing ({BULK + 5} messages): first inbox render {figures['inbox']:.0f} ms,"
        f" open message {figures['open']:.0f} ms"
    )
