"""`sealbox user deleted list|restore` and `sealbox purge` through the real console script,
on mail stored and destroyed in process on the same data directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from support.cli import CliResult, run_cli
from support.cli_accounts import CliAccount, add_account, checked_cli
from support.environment import sealbox_settings
from support.messages import message

from api.core.clock import DAY, now
from api.core.email_batch import SetChange
from api.core.ingest import IncomingEmail
from api.core.unlocked import UnlockedAccount
from api.services import Services, build_services
from api.store.blobs.filesystem import FilesystemBlobBackend
from crypto.secret_value import SecretStr

Cli = Callable[..., CliResult]


async def _services(tmp_path: Path) -> Services:
    services = build_services(sealbox_settings(tmp_path / "data"))
    await services.store.migrate()
    return services


async def _unlocked(services: Services, account: CliAccount) -> UnlockedAccount:
    record, master_key = await services.login.verify_password(
        account.address, SecretStr(account.password), "test"
    )
    return UnlockedAccount(record.id, record.address, master_key)


async def _store_and_destroy(tmp_path: Path, account: CliAccount) -> dict[str, tuple[str, str]]:
    """Subject -> (email id, blob id) of two emails imported, one archived, both destroyed."""
    services = await _services(tmp_path)
    try:
        unlocked = await _unlocked(services, account)
        roles = {m.role: m.id for m in await services.mailboxes.list(unlocked)}
        stored = {}
        for subject in ("Keep me", "Shred me"):
            raw = message(subject, f"{subject.split()[0]}@x", sender=f"Bob <bob-{subject[0]}@x>")
            incoming = IncomingEmail(mailbox_ids=[roles["inbox"]], keywords=[], received_at=now())
            record = await services.emails.ingest.import_raw(unlocked, raw, incoming)
            stored[subject] = (record.id, record.blob_id)
        async with services.emails.batch(unlocked) as batch:
            email_id = stored["Keep me"][0]
            await batch.update(email_id, mailboxes=SetChange(replace=frozenset({roles["archive"]})))
            for email_id, _ in stored.values():
                await batch.destroy(email_id)
        return stored
    finally:
        await services.close()


async def _backdate(tmp_path: Path, account: CliAccount, email_id: str, days: int) -> None:
    services = await _services(tmp_path)
    try:
        unlocked = await _unlocked(services, account)
        async with services.store.transaction() as tx:
            await tx.emails.update(unlocked.account_id, email_id, deleted_at=now() - days * DAY)
    finally:
        await services.close()


async def test_deleted_list_restore_and_purge(
    cli_env: dict[str, str], cli: Cli, tmp_path: Path
) -> None:
    checked_cli(cli_env, "domain", "add", "example.org")
    account = add_account(cli_env, "example.org")
    stored = await _store_and_destroy(tmp_path, account)
    keep_id, shred_id = stored["Keep me"][0], stored["Shred me"][0]
    password = account.password + "\n"

    listed = checked_cli(cli_env, "user", "deleted", "list", account.address, "--password-stdin",
                         stdin=password)  # fmt: skip
    rows = {line.split("\t")[0]: line.split("\t") for line in listed.stdout.splitlines()}
    assert set(rows) == {keep_id, shred_id}
    assert rows[keep_id][-1] == "Keep me" and rows[keep_id][-2] == "from bob-K@x"
    assert rows[keep_id][1].startswith("deleted ") and rows[keep_id][2].startswith("purged after ")

    wrong = run_cli(cli_env, "user", "deleted", "list", account.address, "--password-stdin",
                    stdin="not the password\n")  # fmt: skip
    assert wrong.code == 1 and wrong.stderr.startswith("sealbox: error: ")
    assert "wrong" in wrong.stderr and "Keep me" not in wrong.stdout + wrong.stderr

    restored = checked_cli(cli_env, "user", "deleted", "restore", account.address, keep_id,
                           "--password-stdin", stdin=password)  # fmt: skip
    assert restored.last_line.startswith(f"restored {keep_id} as e")
    new_id = restored.last_line.rsplit(" ", 1)[1]
    assert new_id != keep_id
    again = run_cli(cli_env, "user", "deleted", "restore", account.address, keep_id,
                    "--password-stdin", stdin=password)  # fmt: skip
    assert again.code == 1 and keep_id in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1

    services = await _services(tmp_path)
    try:
        unlocked = await _unlocked(services, account)
        [back] = await services.emails.records(unlocked, [new_id])
        archive = next(m.id for m in await services.mailboxes.list(unlocked) if m.role == "archive")
        assert list(back.mailboxes) == [archive]
        backend = services.blobs.backend
        assert isinstance(backend, FilesystemBlobBackend)
    finally:
        await services.close()

    # Not yet 30 days: the purge keeps it.
    assert cli("purge").last_line.startswith("purged 0 emails")
    await _backdate(tmp_path, account, shred_id, days=31)
    purged = checked_cli(cli_env, "purge")
    assert purged.last_line.startswith("purged 1 emails deleted over 30 days ago"), purged.stdout
    assert not backend.path(stored["Shred me"][1]).exists()
    assert backend.path(stored["Keep me"][1]).exists()
    listed = checked_cli(cli_env, "user", "deleted", "list", account.address, "--password-stdin",
                         stdin=password)  # fmt: skip
    assert listed.stdout == ""
