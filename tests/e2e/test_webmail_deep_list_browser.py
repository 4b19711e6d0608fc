"""A deep jump down a long message list in a real Chromium against a real `sealbox serve`:
rows far below the loaded ones are fetched by position (Email/query `position`, RFC 8620
5.5), not by loading every page above them, and they behave as rows do.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from support.jmap_https import HttpsNode
from support.server import RunningServer
from support.webmail_page import signed_in_tab, wait_for

pytestmark = pytest.mark.slow

DOMAIN = "deep.example"
TIMEOUT_MS = 15_000
COUNT = 1_500
START = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def alice(alice: HttpsNode) -> HttpsNode:
    """Alice with COUNT messages, "Deep 1499" newest, "Deep 0000" oldest."""
    inbox = {alice.mailboxes()["inbox"]: True}
    for start in range(0, COUNT, 500):
        create = {
            f"d{n}": {
                "mailboxIds": inbox,
                "from": [{"email": "deep@example.org"}],
                "subject": f"Deep {n:04d}",
                "receivedAt": (START + datetime.timedelta(minutes=n)).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                ),
                "textBody": [{"partId": "1", "type": "text/plain"}],
                "bodyValues": {"1": {"value": f"Row {n}."}},
            }
            for n in range(start, min(COUNT, start + 500))
        }
        assert not alice.one("Email/set", create=create).get("notCreated")
    return alice


@pytest.fixture(scope="module")
def page(browser_context: Any, server: RunningServer, alice: HttpsNode) -> Any:
    page = signed_in_tab(
        browser_context, server.base_url, alice.account.address, alice.account.password, TIMEOUT_MS
    )
    page.locator("button.message", has_text="Deep 1499").wait_for()
    yield page
    page.close()


def test_a_deep_jump_fetches_that_position_and_its_rows_work(page: Any, alice: HttpsNode) -> None:
    queried: list[int] = []

    def positions(request: Any) -> None:
        if request.method == "POST" and "/jmap/api" in request.url:
            for name, args, _ in request.post_data_json["methodCalls"]:
                if name == "Email/query":
                    queried.append(args.get("position", 0))

    page.on("request", positions)
    pane = page.get_by_role("region", name="Messages")
    rows = page.locator("ul.messages > li")
    # Row 1,400 from the top is "Deep 0099" (newest first).
    pane.evaluate(
        """pane => {
          const ul = pane.querySelector("ul.messages");
          const top = ul.getBoundingClientRect().top - pane.getBoundingClientRect().top;
          pane.scrollTop += top + 1400 * ul.querySelector("li").offsetHeight;
        }"""
    )
    deep = page.locator("button.message", has_text="Deep 0099")
    deep.wait_for()
    page.remove_listener("request", positions)
    assert rows.count() < 60, rows.count()
    # Fetched at that position, not by every page above it (the top's read-ahead aside).
    assert any(p > 1000 for p in queried), queried
    assert not [p for p in queried if 200 <= p <= 1000], queried
    assert "unread" in (deep.get_attribute("class") or "")

    deep.click()
    page.get_by_role("heading", name="Deep 0099").wait_for()
    # Opened far down, it is marked read there as anywhere: on the server and on its row.
    wait_for(lambda: alice.find("Deep 0099")[0]["keywords"].get("$seen"), "Deep 0099 read")
    page.locator("button.message.unread", has_text="Deep 0099").wait_for(state="detached")

    # j steps to the next row down there, not back to the top of the list.
    page.locator("body").press("j")
    page.get_by_role("heading", name="Deep 0098").wait_for()

    pane.evaluate("pane => { pane.scrollTop = 0; }")
    page.locator("button.message", has_text="Deep 1499").wait_for()
    assert rows.count() < 60, rows.count()
