"""Interop: swaks, a third-party SMTP client, against our MX (STARTTLS, PIPELINING, a
verified certificate) and submission (implicit TLS, AUTH PLAIN and LOGIN)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from support.debian_packages import install_missing
from support.smtp_node import SmtpNode, inbox_messages

from api.tls import ensure_certificate

pytestmark = pytest.mark.slow

# swaks's documented exit codes (man swaks, EXIT CODES).
_NO_RECIPIENT_ACCEPTED = 24
_AUTH_FAILED = 28

_BODY = "\r\n".join(f"line {n:04d} of a message swaks sends, caf\u00e9 8-bit" for n in range(200))
_MESSAGE = (
    "From: Dave <dave@elsewhere.example>\r\nTo: Alice <alice@example.org>\r\n"
    "Subject: Sent by swaks\r\nMessage-ID: <swaks-1@elsewhere.example>\r\n"
    "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
    f"\r\n{_BODY}\r\n"
)


@pytest.fixture(scope="module")
def swaks() -> str:
    reason = install_missing(["swaks"], ["/usr/bin/swaks"])
    if reason:
        print(f"\nskipping the swaks interop tests: {reason}")
        pytest.skip(reason)
    return "/usr/bin/swaks"


async def _run(swaks: str, *arguments: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        swaks,
        "--server",
        "127.0.0.1",
        "--helo",
        "client.elsewhere.example",
        "--timeout",
        "20",
        *arguments,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    transcript, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, transcript.decode(errors="replace")


def _message_file(tmp_path: Path) -> str:
    path = tmp_path / "message.eml"
    path.write_bytes(_MESSAGE.encode())
    return f"@{path}"


async def test_mx_over_verified_starttls_with_pipelining(
    swaks: str, node: SmtpNode, tmp_path: Path
) -> None:
    certificate, _, _ = ensure_certificate(node.services.settings)
    code, transcript = await _run(
        swaks,
        "--port",
        str(node.mx_port),
        "--tls",
        "--tls-verify",
        "--tls-ca-path",
        str(certificate),
        "--pipeline",
        "--from",
        "dave@elsewhere.example",
        "--to",
        "alice@example.org",
        "--data",
        _message_file(tmp_path),
    )
    assert code == 0, transcript
    assert "TLS started" in transcript
    assert "<~  250 2.0.0" in transcript.rsplit(" ~> .", 1)[1]
    [(email, raw)] = await inbox_messages(node.alice)
    assert email["subject"] == "Sent by swaks"
    assert raw.startswith(b"Authentication-Results: mx.example.org")
    assert _BODY.encode() in raw


async def test_mx_unknown_recipient_is_refused_before_data(
    swaks: str, node: SmtpNode, tmp_path: Path
) -> None:
    code, transcript = await _run(
        swaks,
        "--port",
        str(node.mx_port),
        "--from",
        "dave@elsewhere.example",
        "--to",
        "nobody@example.org",
        "--data",
        _message_file(tmp_path),
    )
    assert code == _NO_RECIPIENT_ACCEPTED, transcript
    assert "550 5.1.1" in transcript
    assert await inbox_messages(node.alice) == []


async def _submit_as_alice(swaks: str, port: int, password: str, *options: str) -> tuple[int, str]:
    """swaks submitting as alice to bob@example.net on `port`, with `options` added."""
    return await _run(
        swaks,
        "--port",
        str(port),
        *options,
        "--auth-user",
        "alice@example.org",
        "--auth-password",
        password,
        "--from",
        "alice@example.org",
        "--to",
        "bob@example.net",
    )


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
async def test_submission_over_implicit_tls(swaks: str, node: SmtpNode, mechanism: str) -> None:
    code, transcript = await _submit_as_alice(
        swaks,
        node.submissions_port,
        node.app_password,
        "--tls-on-connect",
        "--auth",
        mechanism,
        "--header",
        "Subject: submitted by swaks",
    )
    assert code == 0, transcript
    [(email, _)] = await inbox_messages(node.alice, "sent")
    assert email["keywords"] == {"$seen": True}
    [submission] = (await node.alice.one("EmailSubmission/get", ids=None))["list"]
    assert submission["envelope"]["rcptTo"] == [{"email": "bob@example.net", "parameters": None}]


async def test_submission_offers_no_auth_before_starttls(swaks: str, node: SmtpNode) -> None:
    port = node.submission_port
    code, transcript = await _submit_as_alice(swaks, port, node.app_password, "--auth", "PLAIN")
    assert code == _AUTH_FAILED, transcript
    assert "Host did not advertise authentication" in transcript
    code, transcript = await _submit_as_alice(
        swaks, port, "not-the-password", "--tls", "--auth", "PLAIN"
    )
    assert code == _AUTH_FAILED, transcript
    assert "535 5.7.8" in transcript
    assert await inbox_messages(node.alice, "sent") == []
