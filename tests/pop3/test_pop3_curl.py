"""curl as an outside POP3 client (its own CAPA, STLS, SASL and dot-stuffing code):
LIST, RETR, UIDL, TOP, DELE over STLS and implicit TLS, checked against JMAP."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest

from tests.pop3.conftest import Pop3Account, Pop3Server
from tests.pop3.messages import DOTTED, message


def _curl_has_pop3() -> str | None:
    """Why curl cannot run these tests, or None when it can."""
    curl = shutil.which("curl")
    if curl is None:
        return "curl is not installed"
    version = subprocess.run([curl, "-V"], capture_output=True, text=True, check=False).stdout
    protocols = next((line for line in version.splitlines() if line.startswith("Protocols:")), "")
    if not {"pop3", "pop3s"} <= set(protocols.split()):
        return f"this curl lacks pop3/pop3s ({protocols or 'no protocol list'})"
    return None


_REASON = _curl_has_pop3()
if _REASON is not None:
    print(f"tests/pop3/test_pop3_curl.py skipped: {_REASON}")
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


async def _curl(
    server: Pop3Server, account: Pop3Account, url: str, *extra: str, password: str = ""
) -> tuple[int, bytes]:
    process = await asyncio.create_subprocess_exec(
        "curl", "--silent", "--show-error", "--ssl-reqd", "--max-time", "20",
        "--cacert", str(server.cert),
        "--user", f"{account.address}:{password or account.app_password}",
        *extra, url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate()
    return int(process.returncode or 0), out


async def test_curl_lists_and_retrieves_over_stls(pop3_server: Pop3Server) -> None:
    account = await pop3_server.account()
    first = await account.jmap.import_email(DOTTED, receivedAt="2026-12-01T09:00:00Z")
    second = await account.jmap.import_email(message("two", "x"), receivedAt="2026-12-01T10:00:00Z")
    got = await account.jmap.one("Email/get", ids=[first["id"], second["id"]], properties=["size"])
    sizes = [e["size"] for e in got["list"]]
    base = f"pop3://127.0.0.1:{pop3_server.stls_port}/"

    code, listing = await _curl(pop3_server, account, base)
    assert code == 0
    assert listing == f"1 {sizes[0]}\r\n2 {sizes[1]}\r\n".encode()
    code, body = await _curl(pop3_server, account, base + "1")
    assert (code, body) == (0, DOTTED)
    code, body = await _curl(pop3_server, account, base + "2")
    assert (code, body) == (0, message("two", "x"))


async def test_curl_uidl_top_dele_over_implicit_tls(pop3_server: Pop3Server) -> None:
    account = await pop3_server.account()
    created = await account.jmap.import_email(message("gone", "line"))
    base = f"pop3s://127.0.0.1:{pop3_server.tls_port}/"

    code, uidl = await _curl(pop3_server, account, base, "--request", "UIDL")
    assert (code, uidl) == (0, f"1 {created['id']}\r\n".encode())
    code, top = await _curl(pop3_server, account, base, "--request", "TOP 1 0")
    header, _, _ = message("gone").partition(b"\r\n\r\n")
    assert (code, top) == (0, header + b"\r\n\r\n")
    code, _ = await _curl(pop3_server, account, base + "1", "--request", "DELE", "--head")
    assert code == 0
    trash = await account.jmap.mailbox("trash")
    assert await account.mailboxes_of(created["id"]) == {trash}


async def test_curl_wrong_password_is_login_denied(pop3_server: Pop3Server) -> None:
    account = await pop3_server.account()
    base = f"pop3s://127.0.0.1:{pop3_server.tls_port}/"
    code, _ = await _curl(pop3_server, account, base, password="not the password")
    assert code == 67  # CURLE_LOGIN_DENIED
