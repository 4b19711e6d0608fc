"""`sealbox serve` with its POP3 listeners: one announcement line, STLS and implicit TLS
both serve a sign-in; a message APPENDed by IMAP is RETRieved by POP3, and its DELE at
QUIT shows up over HTTPS JMAP as a move to Trash."""

from __future__ import annotations

import imaplib
import poplib
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.cli_accounts import add_account, add_app_password, checked_cli
from support.environment import free_port, sealbox_environment
from support.server import https_client, start_server

from tests.pop3.messages import message

MESSAGE = message("hello pop3", "Body line one.", ".dotted line")
_USING = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]


def _jmap(client: httpx.Client, api_url: str, calls: list[list[Any]]) -> list[Any]:
    answer = client.post(api_url, json={"using": _USING, "methodCalls": calls})
    return list(answer.json()["methodResponses"])


def test_serve_pop3_and_pop3s(tmp_path: Path) -> None:
    data = tmp_path / "data"
    http, imaps, pop3, pop3s = free_port(), free_port(), free_port(), free_port()
    env = sealbox_environment(
        data,
        SEALBOX_HTTP_PORT=str(http),
        SEALBOX_IMAPS_PORT=str(imaps),
        SEALBOX_POP3_PORT=str(pop3),
        SEALBOX_POP3S_PORT=str(pop3s),
        SEALBOX_HOSTNAME="127.0.0.1",
    )
    server = start_server(data, env, http)
    try:
        announced = [line for line in server.output if "pop3 listening" in line]
        assert announced == [
            f"sealbox: pop3 listening on pop3://127.0.0.1:{pop3} (STLS), "
            f"pop3s://127.0.0.1:{pop3s} (TLS)"
        ], server.output
        checked_cli(env, "domain", "add", "example.org")
        account = add_account(env, "example.org")
        secret = add_app_password(env, account, "pop3")
        context = ssl.create_default_context(cafile=str(server.cert_path))

        imap = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=context, timeout=30)
        imap.login(account.address, secret)
        assert imap.append("INBOX", None, None, MESSAGE)[0] == "OK"
        imap.logout()

        plain = poplib.POP3("127.0.0.1", pop3, timeout=30)
        with pytest.raises(poplib.error_proto, match=r"\[AUTH\]"):
            plain.user(account.address)
        plain.stls(context=context)
        plain.user(account.address)
        plain.pass_(secret)
        assert plain.stat() == (1, len(MESSAGE))
        _, lines, _ = plain.retr(1)
        assert b"\r\n".join(lines) + b"\r\n" == MESSAGE
        [uidl] = plain.uidl()[1]
        email_id = uidl.split()[1].decode()
        plain.dele(1)
        plain.quit()

        secure = poplib.POP3_SSL("127.0.0.1", pop3s, context=context, timeout=30)
        secure.user(account.address)
        secure.pass_(account.password)  # no second factor: the account password works
        assert secure.stat() == (0, 0)
        secure.quit()

        with https_client(server, auth=(account.address, secret)) as client:
            session = client.get("/.well-known/jmap", follow_redirects=True).json()
            account_id = next(iter(session["accounts"]))
            calls: list[list[Any]] = [
                ["Mailbox/get", {"accountId": account_id, "properties": ["role"]}, "m"],
                [
                    "Email/get",
                    {"accountId": account_id, "ids": [email_id], "properties": ["mailboxIds"]},
                    "g",
                ],
            ]
            [(_, boxes, _), (_, got, _)] = _jmap(client, session["apiUrl"], calls)
            trash = next(m["id"] for m in boxes["list"] if m["role"] == "trash")
            assert got["list"][0]["mailboxIds"] == {trash: True}
    finally:
        assert server.stop() == 0, "\n".join(server.output)
