"""Each hosted domain's DMARC switch (RFC 7489 6.7) over a real MX socket: enforce refuses
p=reject and files p=quarantine in Junk, report delivers with the verdict recorded."""

from __future__ import annotations

import asyncio
import smtplib
from pathlib import Path

import pytest
from support.jmap_client import make_client
from support.smtp_node import SmtpNode, inbox_messages

from api.delivery.dmarc_check import DmarcVerdict
from api.delivery.dmarc_policy import DmarcAction, dmarc_action, enforces

MESSAGE = b"From: a@{domain}\r\nTo: alice@example.org\r\nSubject: dmarc\r\n\r\nbody\r\n"


def _send(node: SmtpNode, domain: str, rcpts: list[str]) -> dict[str, tuple[int, bytes]]:
    raw = MESSAGE.replace(b"{domain}", domain.encode())
    with smtplib.SMTP("127.0.0.1", node.mx_port, timeout=30) as client:
        client.ehlo("client.example.net")
        return client.sendmail(f"a@{domain}", rcpts, raw)


async def send(node: SmtpNode, domain: str, *rcpts: str) -> dict[str, tuple[int, bytes]]:
    return await asyncio.to_thread(_send, node, domain, list(rcpts) or ["alice@example.org"])


async def test_quarantine_goes_to_junk_when_enforced(node: SmtpNode) -> None:
    assert await send(node, "wary.test") == {}
    assert await inbox_messages(node.alice) == []
    [(_, raw)] = await inbox_messages(node.alice, "junk")
    assert b"dmarc=fail header.from=wary.test policy.dmarc=quarantine" in raw


async def test_quarantine_without_a_junk_mailbox_goes_to_the_inbox(node: SmtpNode) -> None:
    junk = await node.alice.mailbox("junk")
    destroyed = await node.alice.one("Mailbox/set", destroy=[junk])
    assert destroyed["destroyed"] == [junk], destroyed
    assert await send(node, "wary.test") == {}
    [(_, raw)] = await inbox_messages(node.alice)
    assert b"policy.dmarc=quarantine" in raw


async def test_a_reporting_domain_takes_what_the_sender_asks_to_reject(node: SmtpNode) -> None:
    await node.services.domains.set_dmarc_policy("example.org", "report")
    assert await send(node, "strict.test") == {}
    assert await send(node, "wary.test") == {}
    raws = [raw for _, raw in await inbox_messages(node.alice)]
    assert len(raws) == 2 and await inbox_messages(node.alice, "junk") == []
    assert any(b"dmarc=fail header.from=strict.test policy.dmarc=reject" in r for r in raws)


async def test_enforce_and_back_to_the_default(node: SmtpNode) -> None:
    await node.services.domains.set_dmarc_policy("example.org", "report")
    await node.services.domains.set_dmarc_policy("example.org", "enforce")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        await send(node, "strict.test")
    assert refused.value.smtp_code == 550 and refused.value.smtp_error.startswith(b"5.7.1")
    await node.services.domains.set_dmarc_policy("example.org", None)
    [domain] = await node.services.domains.list()
    assert domain.dmarc_policy is None
    with pytest.raises(smtplib.SMTPDataError):
        await send(node, "strict.test")
    assert await inbox_messages(node.alice) == []


def _blob_files(node: SmtpNode) -> list[Path]:
    return [
        path for path in (node.services.settings.data_path / "blobs").rglob("*") if path.is_file()
    ]


async def test_a_refused_message_leaves_no_blob(node: SmtpNode) -> None:
    """The workers seal and write each copy before the verdict is applied: a 550 must
    take those files back, or refused mail would pile up on disk."""
    assert node.services.settings.smtp_worker_processes > 0
    await node.services.domains.set_dmarc_policy("example.org", "enforce")
    before = _blob_files(node)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        await send(node, "strict.test")
    assert refused.value.smtp_code == 550
    assert _blob_files(node) == before
    assert await send(node, "good.test") == {}  # and a passing one is written there
    assert len(_blob_files(node)) == len(before) + 1


async def test_domains_that_disagree_share_one_reply(node: SmtpNode) -> None:
    """A reporting domain's recipient gets the Inbox copy; the enforcing one's goes to
    Junk instead of a refusal, which would refuse both."""
    bob = await make_client(node.services, "bob@example.net")
    await node.services.domains.set_dmarc_policy("example.net", "report")
    assert await send(node, "strict.test", "alice@example.org", "bob@example.net") == {}
    assert len(await inbox_messages(bob)) == 1 and await inbox_messages(bob, "junk") == []
    assert await inbox_messages(node.alice) == []
    assert len(await inbox_messages(node.alice, "junk")) == 1


async def test_a_passing_message_is_never_junked(node: SmtpNode) -> None:
    """good.test publishes p=reject and SPF for 127.0.0.1: aligned, so delivered."""
    assert await send(node, "good.test") == {}
    assert len(await inbox_messages(node.alice)) == 1


def _verdict(result: str, disposition: str) -> DmarcVerdict:
    return DmarcVerdict(result=result, domain="x.test", disposition=disposition)


@pytest.mark.parametrize(
    ("result", "disposition", "enforce", "expected"),
    [
        ("fail", "reject", True, DmarcAction.REJECT),
        ("fail", "quarantine", True, DmarcAction.JUNK),
        ("fail", "none", True, DmarcAction.DELIVER),
        ("fail", "reject", False, DmarcAction.DELIVER),
        ("fail", "quarantine", False, DmarcAction.DELIVER),
        ("pass", "reject", True, DmarcAction.DELIVER),
        ("temperror", "none", True, DmarcAction.DELIVER),
        ("none", "none", True, DmarcAction.DELIVER),
    ],
)
def test_dmarc_action(result: str, disposition: str, enforce: bool, expected: DmarcAction) -> None:
    assert dmarc_action(_verdict(result, disposition), enforce) is expected


@pytest.mark.parametrize(
    ("switch", "default", "expected"),
    [(None, True, True), (None, False, False), ("enforce", False, True), ("report", True, False)],
)
def test_a_domain_switch_overrides_the_server_default(
    switch: str | None, default: bool, expected: bool
) -> None:
    assert enforces(switch, default) is expected
