"""`sealbox import imap` against a real Dovecot on loopback: folders (nested,
special-use, named), flags, dates, an 8-bit and a 3 MB message, read back through JMAP
in process; a second run copies nothing; a killed run, rerun, leaves no duplicates."""

from __future__ import annotations

import imaplib
import signal
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.cli import SEALBOX, run_cli
from support.cli_accounts import add_account, checked_cli
from support.dovecot import DovecotServer, dovecot_unavailable, running_dovecot
from support.environment import sealbox_environment, sealbox_settings

from api.core.unlocked import UnlockedAccount
from api.jmap.local import LocalJmapCaller
from api.services import build_services
from crypto.secret_value import SecretStr

DOMAIN = "example.org"
BASE_DATE = 1_750_000_000  # June 2025


@dataclass(frozen=True)
class SourceMessage:
    folder: str  # on the wire (modified UTF-7, "." delimiter)
    raw: bytes
    flags: tuple[str, ...]
    date: int


def _message(n: int, body: bytes = b"", extra: bytes = b"") -> bytes:
    return (
        b"From: Someone <someone@source.test>\r\nTo: importer@source.test\r\n"
        + f"Subject: message {n}\r\nMessage-ID: <m{n}@source.test>\r\n".encode()
        + b"Date: Mon, 16 Jun 2025 10:00:00 +0200\r\n"
        + extra
        + b"\r\n"
        + (body or f"body of message {n}\r\n".encode())
    )


def _corpus() -> list[SourceMessage]:
    eight_bit = _message(
        2,
        b"Gr\xc3\xbc\xc3\x9fe, caf\xc3\xa9 \xe2\x82\xac and a stray \xff\xfe byte\r\n",
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n",
    )
    large = _message(3, b"".join(f"line {i:07d} {'x' * 60}\r\n".encode() for i in range(45_000)))
    plan = [
        ("INBOX", _message(1), ("\\Seen", "\\Flagged", "$Label1")),
        ("INBOX", eight_bit, ("\\Answered",)),
        ("INBOX", large, ()),
        ('"Sent Messages"', _message(4), ("\\Seen",)),
        ("Drafts", _message(5), ("\\Draft",)),
        ("Spam", _message(6), ("$Junk",)),
        ('"Deleted Items"', _message(7), ("\\Deleted", "\\Seen")),
        ("Archive", _message(8), ("\\Seen",)),
        ("Re&AOc-us", _message(9), ()),
        *(("Projects.2026.Q1", _message(n), ("\\Seen",)) for n in range(10, 40)),
    ]
    return [
        SourceMessage(folder, raw, flags, BASE_DATE + 3600 * i)
        for i, (folder, raw, flags) in enumerate(plan)
    ]


# Source folder -> (role, path in Sealbox) it must land in.
EXPECTED_MAILBOX = {
    "INBOX": ("inbox", "Inbox"),
    '"Sent Messages"': ("sent", "Sent"),
    "Drafts": ("drafts", "Drafts"),
    "Spam": ("junk", "Junk"),
    '"Deleted Items"': ("trash", "Trash"),
    "Archive": ("archive", "Archive"),
    "Re&AOc-us": (None, "Reçus"),
    "Projects.2026.Q1": (None, "Projects/2026/Q1"),
}
KEYWORDS = {
    "\\Seen": "$seen",
    "\\Flagged": "$flagged",
    "\\Answered": "$answered",
    "\\Draft": "$draft",
    "\\Deleted": "$deleted",
}


def _fill(server: DovecotServer, corpus: list[SourceMessage]) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    client = imaplib.IMAP4_SSL("127.0.0.1", server.imaps_port, ssl_context=context)
    client.login(server.user, server.password)
    for folder in ['"Sent Messages"', "Drafts", "Spam", '"Deleted Items"', "Archive"]:
        assert client.create(folder)[0] == "OK"
    for folder in ["Projects", "Projects.2026", "Projects.2026.Q1", "Re&AOc-us"]:
        assert client.create(folder)[0] == "OK"
    for message in corpus:
        flags = f"({' '.join(message.flags)})" if message.flags else None
        date = imaplib.Time2Internaldate(message.date)
        status, _ = client.append(message.folder, flags, date, message.raw)
        assert status == "OK"
    client.logout()


@pytest.fixture(scope="module")
def dovecot() -> Iterator[tuple[DovecotServer, list[SourceMessage]]]:
    reason = dovecot_unavailable()
    if reason:
        print(f"\nskipping the Dovecot import tests: {reason}")
        pytest.skip(reason)
    corpus = _corpus()
    with running_dovecot() as server:
        _fill(server, corpus)
        yield server, corpus


def _import_args(
    server: DovecotServer, address: str, *, starttls: bool = False, insecure: bool = True
) -> list[str]:
    if starttls:
        source = f"imap://{server.user}@127.0.0.1:{server.imap_port}"
    else:
        source = f"imaps://{server.user}@127.0.0.1:{server.imaps_port}"
    args = ["import", "imap", address, "--from", source, "--password-stdin"]
    return [*args, "--insecure"] if insecure else args


async def _mail(data_dir: Path, address: str, password: str) -> dict[str, Any]:
    """Every email of the account with its mailbox path, role, keywords, date and octets."""
    services = build_services(sealbox_settings(data_dir))
    try:
        await services.store.migrate()
        account, key = await services.login.verify_password(address, SecretStr(password), "t")
        unlocked = UnlockedAccount(account.id, account.address, key, account.wrapped_private_key)
        caller = LocalJmapCaller(services, unlocked)
        using = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]
        [(_, boxes, _)] = await caller.call(
            [("Mailbox/get", {"accountId": account.id, "ids": None}, "0")], using
        )
        by_id = {m["id"]: m for m in boxes["list"]}

        def path(mailbox: dict[str, Any]) -> str:
            parent = by_id.get(mailbox["parentId"]) if mailbox["parentId"] else None
            return mailbox["name"] if parent is None else f"{path(parent)}/{mailbox['name']}"

        [_, (_, got, _)] = await caller.call(
            [
                ("Email/query", {"accountId": account.id}, "0"),
                (
                    "Email/get",
                    {
                        "accountId": account.id,
                        "#ids": {"resultOf": "0", "name": "Email/query", "path": "/ids"},
                        "properties": ["blobId", "mailboxIds", "keywords", "receivedAt", "size"],
                    },
                    "1",
                ),
            ],
            using,
        )
        emails = []
        for email in got["list"]:
            raw = await services.blobs.read_all(unlocked, email["blobId"])
            [mailbox_id] = email["mailboxIds"]
            mailbox = by_id[mailbox_id]
            emails.append(
                {
                    "raw": raw,
                    "mailbox": (mailbox["role"], path(mailbox)),
                    "keywords": set(email["keywords"]),
                    "receivedAt": email["receivedAt"],
                    "size": email["size"],
                }
            )
        return {"emails": emails, "mailboxes": {path(m): m["role"] for m in by_id.values()}}
    finally:
        await services.close()


def _utc(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _check_everything_there_once(mail: dict[str, Any], corpus: list[SourceMessage]) -> None:
    emails = mail["emails"]
    assert len(emails) == len(corpus), "a message is missing or was copied twice"
    by_raw = {e["raw"]: e for e in emails}
    assert len(by_raw) == len(corpus)
    for message in corpus:
        email = by_raw.get(message.raw)
        assert email is not None, f"missing or altered: {message.raw[:80]!r}"
        assert email["mailbox"] == EXPECTED_MAILBOX[message.folder]
        expected = {KEYWORDS.get(f, f.lower()) for f in message.flags}
        assert email["keywords"] == expected, message.raw[:60]
        assert email["receivedAt"] == _utc(message.date)
        assert email["size"] == len(message.raw)
    assert mail["mailboxes"]["Projects/2026/Q1"] is None
    assert "Deleted Items" not in mail["mailboxes"]
    assert "Sent Messages" not in mail["mailboxes"]


async def test_import_copies_folders_flags_dates_and_octets_once(
    dovecot: tuple[DovecotServer, list[SourceMessage]], tmp_path: Path
) -> None:
    server, corpus = dovecot
    env = sealbox_environment(tmp_path / "data")
    checked_cli(env, "domain", "add", DOMAIN)
    account = add_account(env, DOMAIN)
    secrets = f"{account.password}\n{server.password}\n"

    first = checked_cli(env, *_import_args(server, account.address), stdin=secrets)
    assert first.last_line.startswith(f"imported {len(corpus)} messages into"), first.stdout
    assert f"import: {len(corpus)}/{len(corpus)} messages" in first.stderr
    _check_everything_there_once(await _mail(tmp_path / "data", *_creds(account)), corpus)

    again = checked_cli(env, *_import_args(server, account.address), stdin=secrets)
    assert again.last_line.startswith("imported 0 messages"), again.stdout
    _check_everything_there_once(await _mail(tmp_path / "data", *_creds(account)), corpus)


def _creds(account: Any) -> tuple[str, str]:
    return account.address, account.password


def _kill_after(done: int, args: list[str], env: dict[str, str], secrets: str) -> int:
    """Run the import, SIGKILL it once the progress shows `done` messages; its exit status."""
    process = subprocess.Popen(
        [SEALBOX, *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stderr is not None
    process.stdin.write(secrets.encode())
    process.stdin.close()
    for line in process.stderr:
        if line.startswith(f"import: {done}/".encode()):
            process.send_signal(signal.SIGKILL)
            break
    status = process.wait(timeout=60)
    process.stderr.close()
    return status


async def test_an_interrupted_import_resumes_without_duplicates(
    dovecot: tuple[DovecotServer, list[SourceMessage]], tmp_path: Path
) -> None:
    server, corpus = dovecot
    env = sealbox_environment(tmp_path / "data")
    checked_cli(env, "domain", "add", DOMAIN)
    account = add_account(env, DOMAIN)
    secrets = f"{account.password}\n{server.password}\n"

    assert _kill_after(3, _import_args(server, account.address), env, secrets) == -signal.SIGKILL
    partial = await _mail(tmp_path / "data", *_creds(account))
    assert 3 <= len(partial["emails"]) < len(corpus)

    # The rerun comes in over STARTTLS: the progress is per source account, not per port.
    rerun = checked_cli(env, *_import_args(server, account.address, starttls=True), stdin=secrets)
    assert "imported" in rerun.last_line, rerun.stdout
    _check_everything_there_once(await _mail(tmp_path / "data", *_creds(account)), corpus)


def test_a_self_signed_source_is_refused_without_insecure(
    dovecot: tuple[DovecotServer, list[SourceMessage]], tmp_path: Path
) -> None:
    server, _ = dovecot
    env = sealbox_environment(tmp_path / "data")
    checked_cli(env, "domain", "add", DOMAIN)
    account = add_account(env, DOMAIN)
    for starttls in (False, True):
        args = _import_args(server, account.address, starttls=starttls, insecure=False)
        result = run_cli(env, *args, stdin=f"{account.password}\n{server.password}\n")
        assert result.code == 1, result.stdout
        assert result.stderr.startswith("sealbox: error: TLS with 127.0.0.1"), result.stderr
        assert "certificate" in result.stderr.lower()
        assert "Traceback" not in result.stderr


def test_wrong_passwords_are_one_sentence(
    dovecot: tuple[DovecotServer, list[SourceMessage]], tmp_path: Path
) -> None:
    server, _ = dovecot
    env = sealbox_environment(tmp_path / "data")
    checked_cli(env, "domain", "add", DOMAIN)
    account = add_account(env, DOMAIN)
    wrong_source = run_cli(
        env, *_import_args(server, account.address), stdin=f"{account.password}\nnope\n"
    )
    assert wrong_source.code == 1
    assert "refused the login" in wrong_source.stderr, wrong_source.stderr
    wrong_account = run_cli(
        env, *_import_args(server, account.address), stdin=f"nope\n{server.password}\n"
    )
    assert wrong_account.code == 1 and wrong_account.stderr.startswith("sealbox: error:")
    assert "Traceback" not in wrong_source.stderr + wrong_account.stderr
