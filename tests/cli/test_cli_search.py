"""`sealbox user search ADDRESS on|off` and `sealbox user reindex ADDRESS` through the
real console script, on mail imported in process on the same data directory."""

from __future__ import annotations

from pathlib import Path

from support.cli import run_cli
from support.cli_accounts import CliAccount, add_account, checked_cli
from support.environment import sealbox_settings
from support.messages import message

from api.core.ingest import IncomingEmail
from api.core.mail_search import TextCondition
from api.core.unlocked import UnlockedAccount
from api.services import Services, build_services
from crypto.secret_value import SecretStr

WORD = TextCondition("text", "okapi")


async def _open(tmp_path: Path, account: CliAccount) -> tuple[Services, UnlockedAccount]:
    services = build_services(sealbox_settings(tmp_path / "data"))
    await services.store.migrate()
    record, master_key = await services.login.verify_password(
        account.address, SecretStr(account.password), "test"
    )
    return services, UnlockedAccount(record.id, record.address, master_key)


async def _sealed_files(tmp_path: Path, account: CliAccount) -> int:
    services, unlocked = await _open(tmp_path, account)
    try:
        async with services.store.transaction() as tx:
            return len(await tx.search_files.all(unlocked.account_id))
    finally:
        await services.close()


async def test_search_off_on_and_reindex(cli_env: dict[str, str], tmp_path: Path) -> None:
    checked_cli(cli_env, "domain", "add", "example.org")
    account = add_account(cli_env, "example.org")
    services, unlocked = await _open(tmp_path, account)
    try:
        inbox = next(m.id for m in await services.mailboxes.list(unlocked) if m.role == "inbox")
        incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=1_800_000_000)
        for n in range(3):
            raw = message(subject=f"Zoo {n}", body="the okapi is here")
            await services.emails.ingest.import_raw(unlocked, raw, incoming)
        assert len((await services.search.matching(unlocked, [WORD]))[WORD]) == 3
    finally:
        await services.close()
    assert await _sealed_files(tmp_path, account) > 0
    password = account.password + "\n"

    off = checked_cli(cli_env, "user", "search", account.address, "off", "--password-stdin",
                      stdin=password)  # fmt: skip
    assert off.last_line.endswith("its index is deleted")
    assert await _sealed_files(tmp_path, account) == 0

    on = checked_cli(cli_env, "user", "search", account.address, "on", "--language", "english",
                     "--password-stdin", stdin=password)  # fmt: skip
    assert on.last_line.endswith("stemming: english")
    assert "indexed 3/3 emails" in on.stderr
    assert await _sealed_files(tmp_path, account) > 0

    again = checked_cli(cli_env, "user", "reindex", account.address, "--password-stdin",
                        stdin=password)  # fmt: skip
    assert again.last_line == f"reindexed 3 emails of {account.address}"

    wrong = run_cli(cli_env, "user", "search", account.address, "on", "--language", "klingon",
                    "--password-stdin", stdin=password)  # fmt: skip
    assert wrong.code == 1 and "unknown language" in wrong.stderr
