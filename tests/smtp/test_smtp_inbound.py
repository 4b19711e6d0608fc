"""The MX over real sockets: RCPT checks, size, STARTTLS, SPF/DKIM/DMARC, bad input."""

from __future__ import annotations

import asyncio
import base64
import smtplib
import socket
from typing import Any

import pytest
from support.smtp_dkim import sign
from support.smtp_node import SmtpNode, inbox_messages

MESSAGE = b"From: a@good.test\r\nTo: alice@example.org\r\nSubject: hello\r\n\r\nbody text\r\n"


def _send(node: SmtpNode, raw: bytes, sender: str, rcpts: list[str], tls: bool = False) -> Any:
    with smtplib.SMTP("127.0.0.1", node.mx_port, timeout=30) as client:
        client.ehlo("client.good.test")
        if tls:
            client.starttls(context=node.client_tls)
            client.ehlo("client.good.test")
        return client.sendmail(sender, rcpts, raw)


async def send(node: SmtpNode, raw: bytes, sender: str = "a@good.test", **kw: Any) -> Any:
    rcpts = kw.pop("rcpts", ["alice@example.org"])
    return await asyncio.to_thread(_send, node, raw, sender, rcpts, **kw)


async def test_delivery_reaches_the_inbox_with_authentication_results(node: SmtpNode) -> None:
    assert await send(node, sign(MESSAGE, "good.test")) == {}
    [(email, raw)] = await inbox_messages(node.alice)
    assert email["subject"] == "hello"
    first = raw.split(b"\r\n\t")[0]
    assert first == b"Authentication-Results: mx.example.org;"
    assert b"spf=pass" in raw and b"dkim=pass header.d=good.test" in raw
    assert b"dmarc=pass header.from=good.test" in raw


async def test_ehlo_extensions(node: SmtpNode) -> None:
    def ehlo() -> str:
        with smtplib.SMTP("127.0.0.1", node.mx_port, timeout=30) as client:
            return client.ehlo("x.test")[1].decode()

    features = await asyncio.to_thread(ehlo)
    for name in (
        "PIPELINING",
        "SIZE 200000",
        "8BITMIME",
        "SMTPUTF8",
        "ENHANCEDSTATUSCODES",
        "CHUNKING",
    ):
        assert name in features
    assert "STARTTLS" in features and "AUTH" not in features


async def test_starttls_then_delivery(node: SmtpNode) -> None:
    assert await send(node, MESSAGE, tls=True) == {}
    assert len(await inbox_messages(node.alice)) == 1


@pytest.mark.parametrize(
    ("rcpt", "code", "text"),
    [
        ("nobody@example.org", 550, b"5.1.1"),
        ("someone@elsewhere.test", 550, b"5.7.1"),
        ("no-at-sign", 553, b"5.1.3"),
    ],
)
async def test_refused_recipients(node: SmtpNode, rcpt: str, code: int, text: bytes) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        await send(node, MESSAGE, rcpts=[rcpt])
    got_code, got_text = refused.value.recipients[rcpt]
    assert got_code == code and got_text.startswith(text)


async def test_full_mailbox_is_refused_at_rcpt(node: SmtpNode) -> None:
    await node.alice.import_email(MESSAGE)
    await node.services.accounts.set_quota(node.alice.unlocked.account_id, 10)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        await send(node, MESSAGE)
    assert refused.value.recipients["alice@example.org"][0] == 452


async def test_size_limit(node: SmtpNode) -> None:
    big = MESSAGE + (b"y" * 998 + b"\r\n") * 250
    # smtplib declares SIZE= in MAIL FROM (RFC 1870), so it is refused there.
    with pytest.raises(smtplib.SMTPSenderRefused) as error:
        await send(node, big)
    assert error.value.smtp_code == 552 and error.value.smtp_error.startswith(b"5.3.4")
    # A client that does not declare it is refused after DATA.
    lines = [*ENVELOPE, b"DATA\r\n", big, b".\r\n", b"QUIT\r\n"]
    answer = await asyncio.to_thread(_dialogue, node.mx_port, lines)
    assert b"552 5.3.4 message exceeds the size limit" in answer
    assert await inbox_messages(node.alice) == []


async def test_dmarc_reject_is_honoured(node: SmtpNode) -> None:
    forged = MESSAGE.replace(b"good.test", b"strict.test")
    with pytest.raises(smtplib.SMTPDataError) as error:
        await send(node, forged, sender="a@strict.test")
    assert error.value.smtp_code == 550 and b"DMARC" in error.value.smtp_error


async def test_dmarc_none_is_delivered_with_the_failure_recorded(node: SmtpNode) -> None:
    await send(node, MESSAGE.replace(b"good.test", b"loose.test"), sender="a@loose.test")
    [(_, raw)] = await inbox_messages(node.alice)
    assert b"spf=fail" in raw and b"dmarc=fail" in raw and b"policy.dmarc=none" in raw


async def test_forged_authentication_results_are_removed(node: SmtpNode) -> None:
    forged = b"Authentication-Results: mx.example.org; dkim=pass\r\n" + MESSAGE
    await send(node, forged.replace(b"good.test", b"loose.test"), sender="a@loose.test")
    [(_, raw)] = await inbox_messages(node.alice)
    assert raw.count(b"Authentication-Results") == 1 and b"dkim=none" in raw


def _dialogue(port: int, lines: list[bytes]) -> bytes:
    """Send raw lines (pipelined at once) and read until the server has answered QUIT."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"".join(lines))
        received = b""
        while not received.rstrip().split(b"\r\n")[-1].startswith(b"221"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        return received


ENVELOPE = [
    b"EHLO x.good.test\r\n",
    b"MAIL FROM:<a@good.test>\r\n",
    b"RCPT TO:<alice@example.org>\r\n",
]
HUGE_HEADER = b"X-Big: " + b"h" * 250_000 + b"\r\n\r\n.\r\n"

BAD_INPUT = [
    ("garbage command", [b"FOO bar\r\n"], b"500 5.5.2"),
    ("MAIL without arguments", [b"EHLO x\r\n", b"MAIL\r\n"], b"501 5.5.4"),
    ("RCPT before MAIL", [b"EHLO x\r\n", b"RCPT TO:<alice@example.org>\r\n"], b"503 5.5.1"),
    ("overlong command", [b"EHLO " + b"x" * 5000 + b"\r\n"], b"500 5.5.2"),
    ("NUL in address", [b"EHLO x\r\n", b"MAIL FROM:<a\x00b@good.test>\r\n"], b"553 5.1.7"),
    ("invalid UTF-8 in address", [b"EHLO x\r\n", b"MAIL FROM:<\xff\xfe@good.test>\r\n"], b"553"),
    ("bare LF in body", [*ENVELOPE, b"DATA\r\n", b"Subject: x\r\n\r\na\nb\r\n.\r\n"], b"554 5.6.0"),
    ("NUL in body", [*ENVELOPE, b"DATA\r\n", b"Subject: x\r\n\r\na\x00b\r\n.\r\n"], b"554 5.6.0"),
    ("overlong body line", [*ENVELOPE, b"DATA\r\n", b"a" * 3000 + b"\r\n.\r\n"], b"500 5.5.2"),
    # Over the 200 KB limit as well as over the line limit: the size is what it hears.
    ("huge header", [*ENVELOPE, b"DATA\r\n", HUGE_HEADER], b"552 5.3.4"),
    ("DATA with argument", [*ENVELOPE, b"DATA now\r\n"], b"501 5.5.4"),
    ("BDAT before RCPT", [b"EHLO x\r\n", b"BDAT 4 LAST\r\nabcd"], b"503 5.5.1"),
    ("BDAT without size", [*ENVELOPE, b"BDAT LAST\r\n"], b"501 5.5.4"),
    (
        "BDAT over the size limit",
        [*ENVELOPE, b"BDAT 250000 LAST\r\n", HUGE_HEADER[:250_000]],
        b"552",
    ),
    ("DATA after BDAT", [*ENVELOPE, b"BDAT 3\r\nX: \r\nDATA\r\n"], b"503 5.5.1"),
    ("BDAT alone", [*ENVELOPE, b"BDAT\r\n"], b"501 5.5.4"),
    ("BDAT with a Unicode digit", [*ENVELOPE, b"BDAT \xc2\xb2 LAST\r\n"], b"501 5.5.4"),
    ("BDAT with an absurd size", [*ENVELOPE, b"BDAT 9" + b"9" * 30 + b" LAST\r\n"], b"501 5.5.4"),
    (
        "SIZE with a Unicode digit",
        [b"EHLO x\r\n", b"MAIL FROM:<a@good.test> SIZE=\xc2\xb2\r\n"],
        b"501 5.5.4",
    ),
    ("8-bit octets as a command", [b"\xff\xfe\x80\r\n"], b"500 5.5.2"),
    ("8-bit EHLO", [b"EHLO \xc3\xa9.test\r\n"], b"501 5.5.4"),
    ("undecodable HELO", [b"HELO \xff\r\n"], b"501 5.5.4"),
    ("undecodable VRFY", [b"EHLO x\r\n", b"VRFY >\x80\x00\r\n"], b"502 5.5.1 Could not VRFY >??"),
    (
        "UTF-8 sender without SMTPUTF8",
        [b"EHLO x\r\n", b"MAIL FROM:<\xc3\xa9@good.test>\r\n"],
        b"553 5.6.7",
    ),
    (
        "UTF-8 recipient without SMTPUTF8",
        [b"EHLO x\r\n", b"MAIL FROM:<a@good.test>\r\n", b"RCPT TO:<\xc3\xa9@example.org>\r\n"],
        b"553 5.6.7",
    ),
]


@pytest.mark.parametrize(("name", "lines", "expected"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
async def test_bad_input_gets_a_clear_reply(
    node: SmtpNode, name: str, lines: list[bytes], expected: bytes
) -> None:
    answer = await asyncio.to_thread(_dialogue, node.mx_port, [*lines, b"QUIT\r\n"])
    assert expected in answer, answer[-500:]
    assert b"Traceback" not in answer and b"Error: (" not in answer
    assert answer.rstrip().endswith(b"221 2.0.0 Bye") or b"221" in answer
    assert await inbox_messages(node.alice) == []


async def test_a_bad_bdat_leaves_the_session_usable(node: SmtpNode) -> None:
    """A refused BDAT command ends nothing: the next transaction is stored."""
    lines = [*ENVELOPE, b"BDAT \xc2\xb2 LAST\r\n", b"RSET\r\n", *ENVELOPE[1:]]
    lines += [b"BDAT %d LAST\r\n" % len(MESSAGE), MESSAGE, b"QUIT\r\n"]
    answer = await asyncio.to_thread(_dialogue, node.mx_port, lines)
    assert b"501 5.5.4 Syntax: BDAT size [LAST]" in answer and b"451" not in answer, answer
    assert b"250 2.0.0 message stored" in answer
    assert len(await inbox_messages(node.alice)) == 1


async def test_a_chunk_too_big_to_skip_is_refused_and_the_connection_closed(
    node: SmtpNode,
) -> None:
    answer = await asyncio.to_thread(
        _dialogue, node.mx_port, [*ENVELOPE, b"BDAT 999999999 LAST\r\n", b"QUIT\r\n"]
    )
    assert answer.rstrip().endswith(b"552 5.3.4 message exceeds the size limit"), answer


async def test_a_utf8_sender_with_smtputf8_is_taken(node: SmtpNode) -> None:
    lines = [b"EHLO x\r\n", b"MAIL FROM:<\xc3\xa9@good.test> SMTPUTF8\r\n", b"QUIT\r\n"]
    answer = await asyncio.to_thread(_dialogue, node.mx_port, lines)
    assert b"250 2.1.0 sender ok" in answer, answer


async def test_pipelined_transactions_store_each_message_once(node: SmtpNode) -> None:
    one = [b"MAIL FROM:<a@good.test>\r\n", b"RCPT TO:<alice@example.org>\r\n"]
    one += [b"RCPT TO:<ALICE@example.org>\r\n", b"DATA\r\n", MESSAGE, b".\r\n"]
    lines = [b"EHLO x.good.test\r\n", *one, b"RSET\r\n", *one, b"NOOP\r\n"]
    answer = await asyncio.to_thread(_dialogue, node.mx_port, [*lines, b"QUIT\r\n"])
    assert answer.count(b"250 2.0.0 message stored") == 2, answer
    assert len(await inbox_messages(node.alice)) == 2


async def test_bdat_chunks_make_one_message_and_a_transaction_may_follow(node: SmtpNode) -> None:
    """RFC 3030: chunks of exact octet counts, no dot-stuffing, the last one ends it."""
    head, tail = MESSAGE[:40], b".leading dot stays\r\n" + MESSAGE[40:]
    lines = [
        *ENVELOPE,
        b"BDAT %d\r\n" % len(head),
        head,
        b"BDAT %d LAST\r\n" % len(tail),
        tail,
        b"MAIL FROM:<a@good.test>\r\n",
        b"RCPT TO:<alice@example.org>\r\n",
        b"BDAT %d LAST\r\n" % len(MESSAGE),
        MESSAGE,
    ]
    answer = await asyncio.to_thread(_dialogue, node.mx_port, [*lines, b"QUIT\r\n"])
    assert b"250 2.0.0 %d octets received" % len(head) in answer, answer
    assert answer.count(b"250 2.0.0 message stored") == 2, answer
    raws = [raw for _, raw in await inbox_messages(node.alice)]
    assert len(raws) == 2 and sum(raw.endswith(head + tail) for raw in raws) == 1


@pytest.mark.parametrize("tls", [False, True])
async def test_mx_offers_no_auth_and_refuses_it(node: SmtpNode, tls: bool) -> None:
    def auth() -> tuple[str, tuple[int, bytes]]:
        with smtplib.SMTP("127.0.0.1", node.mx_port, timeout=30) as client:
            if tls:
                client.starttls(context=node.client_tls)
            features = client.ehlo("x.test")[1].decode()
            credentials = base64.b64encode(f"\0alice@example.org\0{node.app_password}".encode())
            return features, client.docmd("AUTH", f"PLAIN {credentials.decode()}")

    features, (code, text) = await asyncio.to_thread(auth)
    assert "AUTH" not in features and "PIPELINING" in features
    assert (code, text[:5]) == (503, b"5.5.1")


async def test_requiretls_is_offered_and_taken_over_tls_only(node: SmtpNode) -> None:
    """RFC 8689 4.1: only a TLS session offers REQUIRETLS; over one the MX accepts and
    stores mail that asks for it (a final delivery needs nothing more)."""

    def run() -> list[object]:
        with smtplib.SMTP("127.0.0.1", node.mx_port, timeout=30) as client:
            client.ehlo("x.test")
            seen: list[object] = [client.has_extn("requiretls")]
            seen.append(client.mail("a@good.test", ["REQUIRETLS"])[0])
            client.rset()
            client.starttls(context=node.client_tls)
            client.ehlo("x.test")
            seen.append(client.has_extn("requiretls"))
            seen.append(client.mail("a@good.test", ["REQUIRETLS=YES"])[0])
            seen.append(client.mail("a@good.test", ["REQUIRETLS"])[0])
            seen.append(client.rcpt("alice@example.org", ["REQUIRETLS"])[0])
            seen.append(client.rcpt("alice@example.org")[0])
            seen.append(client.data(sign(MESSAGE, "good.test"))[0])
            return seen

    assert await asyncio.to_thread(run) == [False, 555, True, 555, 250, 555, 250, 250]
    assert len(await inbox_messages(node.alice)) == 1
