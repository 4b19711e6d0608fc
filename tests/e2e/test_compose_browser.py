"""Writing in the webmail, in a real Chromium against a real server: reply all, forward
with the original's file, drafts saved while typing, undo send, attachments and the
identity's signature."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from support.jmap_https import HttpsNode
from support.server import RunningServer
from support.webmail_page import sign_in_page
from support.webmail_page import wait_for as _wait_for

pytestmark = pytest.mark.slow

DOMAIN = "compose.example"
TIMEOUT_MS = 20_000
FIGURES = b"revenue,42\r\n"
SIGNATURE = "Alice, compose team"


def _emails(node: HttpsNode, subject: str, role: str = "inbox") -> list[dict[str, Any]]:
    """Full Emails in the mailbox of `role` whose subject contains `subject`."""
    query = {"filter": {"inMailbox": node.mailboxes()[role], "subject": subject}}
    properties = ["subject", "keywords", "to", "cc", "inReplyTo", "attachments", "preview"]
    _, got = node.request(
        ("Email/query", query),
        (
            "Email/get",
            {
                "#ids": {"resultOf": "c0", "name": "Email/query", "path": "/ids"},
                "properties": properties,
            },
        ),
    )
    return list(got[1]["list"])


def _download(node: HttpsNode, blob_id: str) -> bytes:
    url = (
        node.session["downloadUrl"]
        .replace("{accountId}", node.account_id)
        .replace("{blobId}", blob_id)
        .replace("{name}", "file")
        .replace("{type}", "application/octet-stream")
    )
    with node.client() as client:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return response.content


def _raw(sender: str, to: str, cc: str) -> bytes:
    return (
        (
            f"From: Bob <{sender}>\r\nTo: Alice <{to}>, {sender}\r\nCc: {cc}\r\n"
            "Subject: Team offsite\r\nDate: Tue, 01 Dec 2026 09:30:00 +0100\r\n"
            "Message-ID: <offsite1@compose.example>\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
            "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWhere shall we go?\r\n"
            '--b1\r\nContent-Type: text/csv; name="figures.csv"\r\n'
            'Content-Disposition: attachment; filename="figures.csv"\r\n\r\n'
        ).encode()
        + FIGURES
        + b"\r\n--b1--\r\n"
    )


@pytest.fixture(scope="module")
def page(
    browser_context: Any, server: RunningServer, alice: HttpsNode, bob: HttpsNode, carol: HttpsNode
) -> Any:
    alice.import_email(_raw(bob.account.address, alice.account.address, carol.account.address))
    [identity] = alice.one("Identity/get", ids=None)["list"]
    alice.one("Identity/set", update={identity["id"]: {"textSignature": SIGNATURE}})
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server.base_url}/webmail/")
    sign_in_page(page, alice.account.address, alice.account.password)
    _open(page, "Team offsite")
    return page


def _open(page: Any, subject: str) -> None:
    page.locator("button.message", has_text=subject).click()
    page.get_by_role("region", name="Message", exact=True).get_by_role(
        "heading", name=subject
    ).wait_for()


def _sent(page: Any) -> None:
    page.get_by_role("status").filter(has_text="Message sent.").wait_for()


def test_reply_all_answers_everyone_but_me(
    page: Any, alice: HttpsNode, bob: HttpsNode, carol: HttpsNode
) -> None:
    page.locator("button.message", has_text="Team offsite").focus()
    page.keyboard.press("a")
    page.get_by_role("heading", name="Reply all").wait_for()
    assert page.get_by_label("To").input_value() == f"Bob <{bob.account.address}>"
    assert page.get_by_label("Cc").input_value() == carol.account.address
    assert page.get_by_label("Subject").input_value() == "Re: Team offsite"
    body = page.get_by_role("textbox", name="Message").input_value()
    assert body.index(SIGNATURE) < body.index("> Where shall we go?")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("button", name="Undo").wait_for()
    _sent(page)
    [to_carol] = _wait_for(lambda: _emails(carol, "Re: Team offsite"), "the reply at Carol")
    assert to_carol["inReplyTo"] == ["offsite1@compose.example"]
    assert [a["email"] for a in to_carol["to"]] == [bob.account.address]
    assert _wait_for(lambda: _emails(bob, "Re: Team offsite"), "the reply at Bob")


def test_forward_carries_the_original_file(page: Any, bob: HttpsNode) -> None:
    _open(page, "Team offsite")
    page.locator("button.message", has_text="Team offsite").focus()
    page.keyboard.press("f")
    page.get_by_role("heading", name="Forward").wait_for()
    assert page.get_by_label("Subject").input_value() == "Fwd: Team offsite"
    assert page.get_by_role("list", name="Attachments").inner_text().count("figures.csv") == 1
    page.get_by_label("To").fill(bob.account.address)
    page.get_by_role("button", name="Send").click()
    _sent(page)
    [got] = _wait_for(lambda: _emails(bob, "Fwd: Team offsite"), "the forward at Bob")
    [file] = got["attachments"]
    assert file["name"] == "figures.csv"
    assert _download(bob, file["blobId"]) == FIGURES


def test_a_draft_is_saved_while_typing_and_replaced(page: Any, alice: HttpsNode) -> None:
    page.get_by_role("button", name="Compose").click()
    message = page.get_by_role("textbox", name="Message")
    assert message.input_value() == f"\n\n-- \n{SIGNATURE}\n"  # the identity's signature
    page.get_by_label("Subject").fill("Budget draft")
    page.get_by_role("textbox", name="Message").fill("First thoughts")
    page.get_by_text("Draft saved.").wait_for()
    [first] = _wait_for(lambda: _emails(alice, "Budget draft", "drafts"), "the draft")
    assert first["keywords"].get("$draft") is True
    page.get_by_role("textbox", name="Message").fill("Second thoughts")
    _wait_for(
        lambda: (
            [e["preview"] for e in _emails(alice, "Budget draft", "drafts")] == ["Second thoughts"]
        ),
        "one replaced draft",
    )
    page.get_by_role("button", name="Discard").click()
    _wait_for(lambda: _emails(alice, "Budget draft", "drafts") == [], "the draft discarded")


def test_undo_keeps_the_draft_and_sends_nothing(
    page: Any, alice: HttpsNode, bob: HttpsNode
) -> None:
    page.get_by_role("button", name="Compose").click()
    page.get_by_label("To").fill(bob.account.address)
    page.get_by_label("Subject").fill("Second thoughts on it")
    page.get_by_role("textbox", name="Message").fill("Maybe not.")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("button", name="Undo").click()
    page.get_by_role("heading", name="New message").wait_for()
    assert page.get_by_label("Subject").input_value() == "Second thoughts on it"
    time.sleep(7)  # past the undo delay
    assert _emails(bob, "Second thoughts") == []
    assert _emails(alice, "Second thoughts", "sent") == []
    [kept] = _emails(alice, "Second thoughts", "drafts")
    assert kept["keywords"].get("$draft") is True
    # Sending the reopened form replaces the kept draft rather than adding one.
    page.get_by_role("button", name="Send").click()
    _sent(page)
    assert _wait_for(lambda: _emails(bob, "Second thoughts"), "the message at Bob")
    assert _emails(alice, "Second thoughts", "drafts") == []


def test_an_attached_file_arrives_byte_for_byte(
    page: Any, alice: HttpsNode, bob: HttpsNode, tmp_path: Path
) -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB, every byte value
    picked = tmp_path / "data.bin"
    picked.write_bytes(payload)
    page.get_by_role("button", name="Compose").click()
    page.get_by_label("To").fill(bob.account.address)
    page.get_by_label("Subject").fill("The data file")
    page.locator("input[type=file]").set_input_files(str(picked))
    attachments = page.get_by_role("list", name="Attachments")
    attachments.get_by_text("data.bin").wait_for()
    attachments.locator("progress").wait_for(state="hidden")
    page.get_by_role("button", name="Send").click()
    _sent(page)
    [got] = _wait_for(lambda: _emails(bob, "The data file"), "the file at Bob")
    [file] = got["attachments"]
    assert file["name"] == "data.bin"
    assert _download(bob, file["blobId"]) == payload
    assert _emails(alice, "The data file", "drafts") == []


def test_closing_the_tab_keeps_what_was_typed(
    page: Any, browser_context: Any, server: RunningServer, alice: HttpsNode
) -> None:
    """Typed and closed well inside the autosave pause: only the pagehide save can keep it."""
    tab = browser_context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.goto(f"{server.base_url}/webmail/")  # `page` signed in; the cookie signs this tab in
    tab.get_by_role("heading", name="Inbox", exact=True).wait_for()
    tab.get_by_role("button", name="Compose").click()
    tab.get_by_label("Subject").fill("Written as the tab closed")
    tab.get_by_role("textbox", name="Message").fill("Every word of this must survive.")
    started = time.monotonic()
    tab.close(run_before_unload=True)  # as a person closing the tab: pagehide runs
    assert time.monotonic() - started < 2  # AUTOSAVE_MS: the timer never fired
    [kept] = _wait_for(lambda: _emails(alice, "Written as the tab closed", "drafts"), "the draft")
    assert kept["keywords"].get("$draft") is True
    assert kept["preview"].startswith("Every word of this must survive.")

    again = browser_context.new_page()
    again.set_default_timeout(TIMEOUT_MS)
    again.goto(f"{server.base_url}/webmail/")
    again.get_by_role("navigation", name="Mailboxes").get_by_role("button", name="Drafts").click()
    again.locator("button.message", has_text="Written as the tab closed").wait_for()
    again.close()
