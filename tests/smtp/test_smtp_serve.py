"""A real `sealbox serve`: MX delivery, then kill -9 in a burst; every 250 is there once."""

from __future__ import annotations

import smtplib
import threading
from pathlib import Path

import pytest
from support.cli_accounts import add_account, checked_cli
from support.environment import free_port, sealbox_environment, sealbox_settings
from support.jmap_client import Client
from support.server import start_server
from support.services import unlock
from support.smtp_dkim import zone_text

from api.core.unlocked import UnlockedAccount
from api.services import build_services
from crypto.secret_value import SecretStr

pytestmark = pytest.mark.slow


def _burst(port: int, rcpt: str, tag: str, acked: list[str], stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        subject = f"{tag}-{n}"
        raw = f"From: a@good.test\r\nTo: {rcpt}\r\nSubject: {subject}\r\n\r\nx\r\n".encode()
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.sendmail("a@good.test", [rcpt], raw)
        except (OSError, smtplib.SMTPException):
            return
        acked.append(subject)


async def test_kill_during_burst_loses_no_acknowledged_message(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    zone = tmp_path / "zone.txt"
    zone.write_text(zone_text())
    port = free_port()
    env = sealbox_environment(
        data_dir,
        SEALBOX_SMTP_PORT=str(port),
        SEALBOX_DNS_ZONE_FILE=str(zone),
        SEALBOX_SMTP_MAX_MESSAGES_PER_IP_PER_MINUTE="100000",
    )
    checked_cli(env, "domain", "add", "example.org")
    account = add_account(env, "example.org")
    server = start_server(data_dir, env, 0)
    assert any("smtp listening on" in line for line in server.output), server.output
    acked: list[str] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=_burst, args=(port, account.address, f"t{i}", acked, stop))
        for i in range(4)
    ]
    for thread in threads:
        thread.start()
    while len(acked) < 40:
        threading.Event().wait(0.05)
    server.process.kill()
    server.process.wait()
    stop.set()
    for thread in threads:
        thread.join()
    restarted = start_server(data_dir, env, 0)
    assert restarted.stop() == 0
    services = build_services(sealbox_settings(data_dir))
    try:
        record = await services.accounts.get(account.address)
        key = await unlock(services, record.id, SecretStr(account.password))
        assert key is not None
        client = Client(services, UnlockedAccount(record.id, record.address, key))
        mailbox = await client.mailbox("inbox")
        ids = (await client.one("Email/query", filter={"inMailbox": mailbox}))["ids"]
        got = await client.one("Email/get", ids=ids, properties=["subject"])
        subjects = [email["subject"] for email in got["list"]]
    finally:
        await services.close()
    assert len(subjects) == len(set(subjects)), "a message was stored twice"
    missing = set(acked) - set(subjects)
    assert not missing, f"acknowledged but lost: {sorted(missing)}"
