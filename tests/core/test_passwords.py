"""Password change and reset: MK is rewrapped, never replaced; old secrets stop working."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from support.services import PASSWORD, ServicesFactory, create_account, reload, unlock

from api.core.errors import (
    InvalidCredentialsError,
    InvalidRecoveryCodeError,
    RecoveryUnavailableError,
    WeakPasswordError,
)
from api.services import Services
from crypto.codes import generate_code
from crypto.secret_value import SecretStr

NEW_PASSWORD = SecretStr("quarry meadow tinsel falcon")


def _write_escrow_keys(directory: Path, name: str = "escrow") -> tuple[Path, Path]:
    """An operator's X25519 escrow key pair as PEM files: (public, private)."""
    private = X25519PrivateKey.generate()
    public_path, private_path = directory / f"{name}.pub.pem", directory / f"{name}.key.pem"
    public_path.write_bytes(
        private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    private_path.write_bytes(
        private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    return public_path, private_path


async def test_change_rewraps_and_ends_other_sessions(services: Services) -> None:
    account = (await create_account(services)).account
    master_key = await unlock(services, account.id, PASSWORD)
    assert master_key is not None
    kept_token = await services.sessions.create(account, master_key)
    other_token = await services.sessions.create(account, master_key)
    kept = await services.sessions.resolve(kept_token)
    assert kept is not None

    await services.passwords.change(
        "Alice@Example.org", PASSWORD, NEW_PASSWORD, keep_session=kept.id_hash
    )

    assert await unlock(services, account.id, PASSWORD) is None
    assert await unlock(services, account.id, NEW_PASSWORD) == master_key
    assert (await reload(services, account.id)).credential_epoch == account.credential_epoch + 1
    still_signed_in = await services.sessions.resolve(kept_token)
    assert still_signed_in is not None
    assert still_signed_in.unlocked.master_key == master_key
    assert await services.sessions.resolve(other_token) is None


async def test_change_without_a_kept_session_ends_them_all(services: Services) -> None:
    account = (await create_account(services)).account
    master_key = await unlock(services, account.id, PASSWORD)
    assert master_key is not None
    token = await services.sessions.create(account, master_key)

    await services.passwords.change(account.address, PASSWORD, NEW_PASSWORD)

    assert await services.sessions.resolve(token) is None


@pytest.mark.parametrize(
    ("address", "current", "new", "error"),
    [
        ("alice@example.org", SecretStr("not the password at all"), NEW_PASSWORD, "credentials"),
        ("nobody@example.org", PASSWORD, NEW_PASSWORD, "credentials"),
        ("alice@example.org", PASSWORD, SecretStr("password1234"), "weak"),
        ("alice@example.org", PASSWORD, SecretStr("alice-lantern-orbit"), "weak"),
    ],
    ids=["wrong-current", "unknown-address", "weak-new", "new-has-local-part"],
)
async def test_refused_change_changes_nothing(
    services: Services, address: str, current: SecretStr, new: SecretStr, error: str
) -> None:
    account = (await create_account(services)).account
    expected = {"credentials": InvalidCredentialsError, "weak": WeakPasswordError}[error]

    with pytest.raises(expected):
        await services.passwords.change(address, current, new)

    assert await unlock(services, account.id, PASSWORD) is not None
    assert await reload(services, account.id) == account


async def test_recovery_code_reset_keeps_mk_and_rotates_the_code(services: Services) -> None:
    created = await create_account(services, recovery="code")
    account, first_code = created.account, created.recovery_code
    assert first_code is not None
    master_key = await unlock(services, account.id, PASSWORD)
    assert master_key is not None
    token = await services.sessions.create(account, master_key)

    # Codes are typed by people: case, spaces and dashes do not matter.
    typed = first_code.upper().replace("-", " ")
    second_code = await services.passwords.reset_with_recovery_code(
        account.address, typed, NEW_PASSWORD
    )

    assert second_code != first_code
    assert await unlock(services, account.id, NEW_PASSWORD) == master_key
    assert await unlock(services, account.id, PASSWORD) is None
    assert await services.sessions.resolve(token) is None
    with pytest.raises(InvalidRecoveryCodeError):
        await services.passwords.reset_with_recovery_code(
            account.address, first_code, SecretStr("yet another fine passphrase")
        )
    # The new code works, once more rotating.
    third_code = await services.passwords.reset_with_recovery_code(
        account.address, second_code, PASSWORD
    )
    assert third_code not in {first_code, second_code}
    assert await unlock(services, account.id, PASSWORD) == master_key


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("alice@example.org", generate_code()),
        ("alice@example.org", "not-a-code"),
        ("alice@example.org", ""),
        ("nobody@example.org", generate_code()),
    ],
    ids=["wrong-code", "malformed-code", "empty-code", "unknown-address"],
)
async def test_wrong_recovery_code_is_refused(services: Services, address: str, code: str) -> None:
    account = (await create_account(services, recovery="code")).account

    with pytest.raises(InvalidRecoveryCodeError):
        await services.passwords.reset_with_recovery_code(address, code, NEW_PASSWORD)

    assert await reload(services, account.id) == account


async def test_recovery_code_needs_an_account_that_chose_it(services: Services) -> None:
    account = (await create_account(services)).account

    with pytest.raises(RecoveryUnavailableError, match="cannot be decrypted"):
        await services.passwords.reset_with_recovery_code(
            account.address, generate_code(), NEW_PASSWORD
        )
    with pytest.raises(RecoveryUnavailableError, match="did not choose escrow"):
        await services.passwords.reset_with_escrow(account.address, "/nonexistent", NEW_PASSWORD)


async def test_escrow_reset_keeps_mk(make_services: ServicesFactory, tmp_path: Path) -> None:
    public_path, private_path = _write_escrow_keys(tmp_path)
    services = await make_services(escrow_public_key=str(public_path))
    created = await create_account(services, recovery="escrow")
    account = created.account
    master_key = await unlock(services, account.id, PASSWORD)
    assert master_key is not None
    assert created.recovery_code is None
    assert account.recovery_mode == "escrow"

    await services.passwords.reset_with_escrow(account.address, str(private_path), NEW_PASSWORD)

    assert await unlock(services, account.id, NEW_PASSWORD) == master_key
    assert await unlock(services, account.id, PASSWORD) is None
    assert (await reload(services, account.id)).credential_epoch == 1


async def test_escrow_reset_with_the_wrong_key_is_refused(
    make_services: ServicesFactory, tmp_path: Path
) -> None:
    public_path, _ = _write_escrow_keys(tmp_path)
    _, other_private = _write_escrow_keys(tmp_path, "other")
    services = await make_services(escrow_public_key=str(public_path))
    account = (await create_account(services, recovery="escrow")).account

    with pytest.raises(RecoveryUnavailableError, match="does not open"):
        await services.passwords.reset_with_escrow(
            account.address, str(other_private), NEW_PASSWORD
        )
    with pytest.raises(RecoveryUnavailableError, match="cannot read"):
        await services.passwords.reset_with_escrow(
            account.address, str(tmp_path / "missing.pem"), NEW_PASSWORD
        )
    assert await unlock(services, account.id, PASSWORD) is not None


async def test_escrow_without_a_configured_key_is_refused(services: Services) -> None:
    await services.domains.add("example.org")
    with pytest.raises(RecoveryUnavailableError, match="escrow_public_key"):
        await services.accounts.create("alice@example.org", PASSWORD, recovery="escrow")
    assert await services.accounts.list() == []


async def test_escrow_with_an_unreadable_key_is_refused(
    make_services: ServicesFactory, tmp_path: Path
) -> None:
    not_x25519 = tmp_path / "garbage.pem"
    not_x25519.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    services = await make_services(escrow_public_key=str(not_x25519))
    await services.domains.add("example.org")
    with pytest.raises(RecoveryUnavailableError, match="cannot read the escrow public key"):
        await services.accounts.create("alice@example.org", PASSWORD, recovery="escrow")
