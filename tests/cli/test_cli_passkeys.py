"""`sealbox user passkey list|remove`: the operator's way out for a user who lost the
only device, through the real console script on a passkey registered in process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from support.cli import CliResult
from support.cli_accounts import add_account, checked_cli
from support.environment import sealbox_settings
from support.soft_authenticator import SoftAuthenticator, from_b64url

from api.core.unlocked import UnlockedAccount
from api.services import build_services
from crypto.secret_value import SecretStr

Cli = Callable[..., CliResult]


async def _register_passkey(data_dir: Path, address: str, password: str) -> str:
    services = build_services(sealbox_settings(data_dir))
    try:
        record, master_key = await services.login.verify_password(
            address, SecretStr(password), "test"
        )
        unlocked = UnlockedAccount(record.id, record.address, master_key)
        options = await services.passkeys.registration_options(unlocked)
        authenticator = SoftAuthenticator(origin=services.settings.webauthn_origins[0])
        credential, prf = authenticator.create(options)
        prf_output = from_b64url(prf) if prf else None
        passkey = await services.passkeys.register(unlocked, credential, "Lost phone", prf_output)
        return passkey.id
    finally:
        await services.close()


async def test_a_lost_passkey_is_listed_and_removed_by_the_operator(
    cli_env: dict[str, str], cli: Cli, tmp_path: Path
) -> None:
    checked_cli(cli_env, "domain", "add", "example.org")
    account = add_account(cli_env, "example.org")
    passkey_id = await _register_passkey(tmp_path / "data", account.address, account.password)

    listed = checked_cli(cli_env, "user", "passkey", "list", account.address)
    [line] = listed.stdout.splitlines()
    assert line.split("\t")[:3] == [passkey_id, "Lost phone", "unlocks mail"]

    removed = checked_cli(cli_env, "user", "passkey", "remove", account.address, passkey_id)
    assert f"removed passkey {passkey_id}" in removed.stdout
    assert "password alone" in removed.stdout
    assert checked_cli(cli_env, "user", "passkey", "list", account.address).stdout == ""

    again = cli("user", "passkey", "remove", account.address, passkey_id)
    assert again.code != 0
    assert "no passkey with that id" in again.stderr
    assert "Traceback" not in again.stderr
