"""ARC (RFC 8617) on inbound mail over a real MX socket: the chain's verdict is recorded
in Authentication-Results as arc=pass | fail | none. And where the ARC and DKIM
verifiers look for their fields: the header section, wherever in it."""

from __future__ import annotations

import asyncio
import smtplib

import pytest
from support.smtp_dkim import arc_seal, sign, zone_text
from support.smtp_node import SmtpNode, inbox_messages

from api.delivery.arc_check import verify_arc
from api.delivery.dkim_check import verify_dkim
from api.delivery.dns_lookup import ZoneResolver

MESSAGE = b"From: a@loose.test\r\nTo: alice@example.org\r\nSubject: forwarded\r\n\r\nbody\r\n"


def _send(node: SmtpNode, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", node.mx_port, timeout=30) as client:
        client.ehlo("relay.good.test")
        client.sendmail("list@good.test", ["alice@example.org"], raw)


async def _stored_results(node: SmtpNode, raw: bytes) -> bytes:
    await asyncio.to_thread(_send, node, raw)
    [(_, stored)] = await inbox_messages(node.alice)
    header, _, _ = stored.partition(b"\r\n\r\n")
    ours = header.split(b"Authentication-Results: mx.example.org;")[1]
    return ours.split(b"\r\n", 1)[0] + b"".join(
        line for line in ours.split(b"\r\n")[1:] if line.startswith(b"\t")
    )


async def test_a_sealed_chain_passes(node: SmtpNode) -> None:
    results = await _stored_results(node, arc_seal(MESSAGE, "good.test", "relay.good.test"))
    assert b"arc=pass" in results, results


async def test_a_body_changed_after_sealing_fails(node: SmtpNode) -> None:
    sealed = arc_seal(MESSAGE, "good.test", "relay.good.test")
    results = await _stored_results(node, sealed.replace(b"body\r\n", b"changed\r\n"))
    assert b"arc=fail" in results, results


async def test_a_message_without_arc_has_none(node: SmtpNode) -> None:
    assert b"arc=none" in await _stored_results(node, MESSAGE)


def _without_seal(sealed: bytes) -> bytes:
    head, _, body = sealed.partition(b"\r\n\r\n")
    kept, skipping = [], False
    for line in head.split(b"\r\n"):
        if line[:1] not in (b" ", b"\t"):  # a field starts; folded lines follow it
            skipping = line.lower().startswith(b"arc-seal:")
        if not skipping:
            kept.append(line)
    return b"\r\n".join(kept) + b"\r\n\r\n" + body


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (MESSAGE, "none"),
        (arc_seal(MESSAGE, "good.test", "relay.good.test"), "pass"),
        # Only the ARC-Seal gone: a broken set (fail), not an absent one (none).
        (_without_seal(arc_seal(MESSAGE, "good.test", "relay.good.test")), "fail"),
        # The set below fields a later hop added: still found.
        (b"Received: from a later hop\r\n" + arc_seal(MESSAGE, "good.test", "r.good.test"), "pass"),
        # Field names in the body are text, not a set.
        (MESSAGE + b"ARC-Seal: i=1; a=rsa-sha256; cv=none\r\n", "none"),
    ],
)
def test_the_chain_status(raw: bytes, status: str) -> None:
    assert verify_arc(ZoneResolver.from_text(zone_text()), raw) == status


@pytest.mark.parametrize(
    ("raw", "results"),
    [
        (sign(MESSAGE, "good.test"), ["pass"]),
        (b"Received: from a later hop\r\n" + sign(MESSAGE, "good.test"), ["pass"]),
        (b"X-Other: 1\r\n" + sign(MESSAGE, "good.test").replace(b"DKIM-S", b"dKiM-s", 1), ["pass"]),
        (MESSAGE + b"DKIM-Signature: v=1; d=good.test\r\n", []),
    ],
)
def test_dkim_signatures_are_found_in_the_header_section_only(
    raw: bytes, results: list[str]
) -> None:
    verdicts = verify_dkim(ZoneResolver.from_text(zone_text()), raw)
    assert [verdict.result for verdict in verdicts] == results
