"""`sealbox serve` with its IMAP listeners: one announcement line, STARTTLS and implicit
TLS both serve an app-password sign-in, APPEND by IMAP is read back over HTTPS JMAP."""

from __future__ import annotations

import imaplib
import ssl
from pathlib import Path

import pytest
from support.cli_accounts import add_account, add_app_password, checked_cli
from support.environment import free_port, sealbox_environment
from support.server import https_client, start_server

from tests.imap.test_imap_smoke import MESSAGE


def test_serve_imap_and_imaps(tmp_path: Path) -> None:
    data = tmp_path / "data"
    http, imap, imaps = free_port(), free_port(), free_port()
    env = sealbox_environment(
        data,
        SEALBOX_HTTP_PORT=str(http),
        SEALBOX_IMAP_PORT=str(imap),
        SEALBOX_IMAPS_PORT=str(imaps),
        SEALBOX_HOSTNAME="127.0.0.1",
    )
    server = start_server(data, env, http)
    try:
        announced = [line for line in server.output if "imap listening" in line]
        assert announced == [
            f"sealbox: imap listening on imap://127.0.0.1:{imap} (STARTTLS), "
            f"imaps://127.0.0.1:{imaps} (TLS)"
        ], server.output
        checked_cli(env, "domain", "add", "example.org")
        account = add_account(env, "example.org")
        secret = add_app_password(env, account, "imap")
        context = ssl.create_default_context(cafile=str(server.cert_path))

        plain = imaplib.IMAP4("127.0.0.1", imap, timeout=30)
        with pytest.raises(imaplib.IMAP4.error):
            plain.login(account.address, secret)
        plain.starttls(ssl_context=context)
        assert plain.login(account.address, secret)[0] == "OK"
        assert plain.append("INBOX", None, None, MESSAGE)[0] == "OK"
        plain.logout()

        secure = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=context, timeout=30)
        # Without a second factor the account password works as well.
        assert secure.login(account.address, account.password)[0] == "OK"
        assert secure.select("INBOX")[1] == [b"1"]
        secure.logout()

        with https_client(server, auth=(account.address, secret)) as client:
            session = client.get("/.well-known/jmap", follow_redirects=True).json()
            account_id = next(iter(session["accounts"]))
            using = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]
            calls = [
                [
                    "Email/query",
                    {"accountId": account_id, "filter": {"subject": "hello imap"}},
                    "q",
                ],
                [
                    "Email/get",
                    {
                        "accountId": account_id,
                        "#ids": {"resultOf": "q", "name": "Email/query", "path": "/ids"},
                        "properties": ["subject"],
                    },
                    "g",
                ],
            ]
            answer = client.post(session["apiUrl"], json={"using": using, "methodCalls": calls})
            [_, (_, got, _)] = answer.json()["methodResponses"]
            assert [e["subject"] for e in got["list"]] == ["hello imap"]
    finally:
        assert server.stop() == 0, "\n".join(server.output)
