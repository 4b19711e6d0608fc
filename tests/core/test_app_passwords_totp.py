"""App passwords (own MK slot each, HKDF unlock) and the TOTP second factor."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pyotp
import pytest
from support.services import PASSWORD, create_account, reload, unlock

from api.core.clock import DAY, now
from api.core.errors import AppPasswordNotFoundError, TotpStateError
from api.core.unlock import unlock_with_app_password
from api.core.unlocked import UnlockedAccount
from api.services import Services
from api.store.records import AccountRecord
from crypto.codes import generate_code
from crypto.master_key import MasterKey
from crypto.secret_value import SecretStr


async def _unlocked(services: Services, address: str = "alice@example.org") -> UnlockedAccount:
    account = (await create_account(services, address)).account
    master_key = await unlock(services, account.id, PASSWORD)
    assert master_key is not None
    return UnlockedAccount(account.id, account.address, master_key)


async def _unlock_app(services: Services, account: AccountRecord, secret: str) -> MasterKey | None:
    match = unlock_with_app_password(account, await services.app_passwords.list(account.id), secret)
    return None if match is None else match[0]


# App passwords


async def test_app_password_unlocks_the_same_master_key(services: Services) -> None:
    unlocked = await _unlocked(services)
    first = await services.app_passwords.create(unlocked, "Thunderbird")
    second = await services.app_passwords.create(unlocked, "Phone")
    account = await reload(services, unlocked.account_id)

    for secret in [first.secret, second.secret, first.secret.upper().replace("-", "")]:
        assert await _unlock_app(services, account, secret) == unlocked.master_key
    match = unlock_with_app_password(
        account, await services.app_passwords.list(account.id), second.secret
    )
    assert match is not None
    assert match[1].id == second.record.id
    assert first.secret not in repr(first)


@pytest.mark.parametrize(
    "secret",
    [generate_code(), "", "lantern orbit velvet cactus", "abcd-efgh"],
    ids=["other-code", "empty", "account-password", "too-short"],
)
async def test_wrong_app_password_unlocks_nothing(services: Services, secret: str) -> None:
    unlocked = await _unlocked(services)
    await services.app_passwords.create(unlocked, "Thunderbird")
    account = await reload(services, unlocked.account_id)
    assert await _unlock_app(services, account, secret) is None


async def test_app_password_of_another_account_unlocks_nothing(services: Services) -> None:
    alice = await _unlocked(services, "alice@example.org")
    bob = await _unlocked(services, "bob@example.org")
    alices = await services.app_passwords.create(alice, "Thunderbird")
    bob_account = await reload(services, bob.account_id)
    assert await _unlock_app(services, bob_account, alices.secret) is None


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("Thunderbird, laptop", "Thunderbird, laptop"),
        ("  Thunderbird \t\n laptop  ", "Thunderbird laptop"),
        ("", "app password"),
        ("   ", "app password"),
        ("x" * 150, "x" * 100),
    ],
)
async def test_app_password_names_are_tidied(services: Services, name: str, stored: str) -> None:
    unlocked = await _unlocked(services)
    created = await services.app_passwords.create(unlocked, name)
    assert created.record.name == stored
    assert [r.name for r in await services.app_passwords.list(unlocked.account_id)] == [stored]


async def test_revoke_removes_the_slot_and_bumps_the_epoch(services: Services) -> None:
    unlocked = await _unlocked(services)
    revoked = await services.app_passwords.create(unlocked, "Old phone")
    kept = await services.app_passwords.create(unlocked, "Laptop")
    before = await reload(services, unlocked.account_id)

    await services.app_passwords.revoke(unlocked.account_id, revoked.record.id)

    after = await reload(services, unlocked.account_id)
    assert after.credential_epoch == before.credential_epoch + 1
    assert [r.id for r in await services.app_passwords.list(after.id)] == [kept.record.id]
    assert await _unlock_app(services, after, revoked.secret) is None
    assert await _unlock_app(services, after, kept.secret) == unlocked.master_key
    with pytest.raises(AppPasswordNotFoundError):
        await services.app_passwords.revoke(unlocked.account_id, revoked.record.id)


async def test_revoke_cannot_reach_another_account(services: Services) -> None:
    alice = await _unlocked(services, "alice@example.org")
    bob = await _unlocked(services, "bob@example.org")
    bobs = await services.app_passwords.create(bob, "Phone")

    with pytest.raises(AppPasswordNotFoundError):
        await services.app_passwords.revoke(alice.account_id, bobs.record.id)

    assert [r.id for r in await services.app_passwords.list(bob.account_id)] == [bobs.record.id]
    assert (await reload(services, alice.account_id)).credential_epoch == 0


async def test_basic_auth_records_use_by_the_day(services: Services) -> None:
    unlocked = await _unlocked(services)
    created = await services.app_passwords.create(unlocked, "Thunderbird")
    assert created.record.last_used_day is None

    signed_in = await services.credentials.authenticate(
        unlocked.address, SecretStr(created.secret), "192.0.2.1"
    )

    assert signed_in.master_key == unlocked.master_key
    (record,) = await services.app_passwords.list(unlocked.account_id)
    # Midnight UTC of today: the day, not the moment, of use.
    assert record.last_used_day == now() // DAY * DAY


# TOTP


def _totp_from(uri: SecretStr) -> pyotp.TOTP:
    parsed = pyotp.parse_uri(uri.reveal())
    assert isinstance(parsed, pyotp.TOTP)
    return parsed


async def test_enable_gives_a_uri_whose_codes_are_accepted_once(services: Services) -> None:
    unlocked = await _unlocked(services)
    account = await reload(services, unlocked.account_id)

    uri = await services.totp.enable(account)

    assert uri.reveal().startswith("otpauth://totp/")
    totp = _totp_from(uri)
    assert (totp.digits, totp.interval, totp.issuer) == (6, 30, "Sealbox")
    assert totp.name == "alice@example.org"
    enrolled = await reload(services, account.id)
    assert enrolled.has_second_factor
    assert enrolled.credential_epoch == account.credential_epoch + 1

    code = totp.now()
    assert await services.totp.check(enrolled, unlocked.master_key, code)
    # A replay is refused whether the caller holds a stale record or a fresh one.
    assert not await services.totp.check(enrolled, unlocked.master_key, code)
    assert not await services.totp.check(
        await reload(services, account.id), unlocked.master_key, code
    )


async def test_an_enrolment_keeps_its_uri_out_of_reprs_and_logs(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    """The otpauth:// URI holds the secret: formatting it by mistake must not show it."""
    unlocked = await _unlocked(services)
    enrolment = await services.totp.begin_enrolment(await reload(services, unlocked.account_id))
    secret = enrolment.secret.reveal()
    assert secret in enrolment.uri.reveal()
    assert enrolment.uri.reveal().startswith("otpauth://totp/")
    with caplog.at_level("DEBUG"):
        logging.getLogger("sealbox.test").warning("enrolled %s uri=%s", enrolment, enrolment.uri)
    shown = [repr(enrolment), str(enrolment.uri), f"{enrolment.uri}", caplog.text]
    assert not any(secret in text for text in shown), shown


async def test_codes_older_than_the_last_used_step_are_refused(services: Services) -> None:
    unlocked = await _unlocked(services)
    totp = _totp_from(await services.totp.enable(await reload(services, unlocked.account_id)))
    current = time.time()

    assert await services.totp.check(
        await reload(services, unlocked.account_id), unlocked.master_key, totp.at(current)
    )
    # The previous step is inside the clock-drift window, yet older than the one used.
    previous = totp.at(current - 30)
    assert not await services.totp.check(
        await reload(services, unlocked.account_id), unlocked.master_key, previous
    )


def _full_width(code: str) -> str:
    return "".join(chr(ord(digit) - ord("0") + 0xFF10) for digit in code)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda code: "",
        lambda code: code[:5],
        lambda code: code + "0",
        lambda code: code[:3] + "x" + code[4:],
        # pyotp would read these as ASCII digits after NFKC normalisation.
        _full_width,
    ],
    ids=["empty", "short", "long", "letter", "full-width"],
)
async def test_malformed_codes_are_refused_without_using_the_step(
    services: Services, mangle: Callable[[str], str]
) -> None:
    unlocked = await _unlocked(services)
    totp = _totp_from(await services.totp.enable(await reload(services, unlocked.account_id)))
    account = await reload(services, unlocked.account_id)
    code = totp.now()

    assert not await services.totp.check(account, unlocked.master_key, mangle(code))

    assert (await reload(services, account.id)).totp_last_step is None
    assert await services.totp.check(account, unlocked.master_key, code)


async def test_check_needs_the_accounts_own_master_key(services: Services) -> None:
    alice = await _unlocked(services, "alice@example.org")
    bob = await _unlocked(services, "bob@example.org")
    totp = _totp_from(await services.totp.enable(await reload(services, alice.account_id)))
    account = await reload(services, alice.account_id)
    assert not await services.totp.check(account, bob.master_key, totp.now())


async def test_disable_then_check_fails(services: Services) -> None:
    unlocked = await _unlocked(services)
    totp = _totp_from(await services.totp.enable(await reload(services, unlocked.account_id)))

    await services.totp.disable(await reload(services, unlocked.account_id))

    account = await reload(services, unlocked.account_id)
    assert not account.has_second_factor
    assert account.credential_epoch == 2
    assert not await services.totp.check(account, unlocked.master_key, totp.now())


async def test_enable_and_disable_refuse_the_wrong_state(services: Services) -> None:
    unlocked = await _unlocked(services)
    with pytest.raises(TotpStateError, match="already off"):
        await services.totp.disable(await reload(services, unlocked.account_id))
    first_uri = await services.totp.enable(await reload(services, unlocked.account_id))

    with pytest.raises(TotpStateError, match="already on"):
        await services.totp.enable(await reload(services, unlocked.account_id))

    # The refused second enrolment left the first secret in place.
    account = await reload(services, unlocked.account_id)
    code = _totp_from(first_uri).now()
    assert await services.totp.check(account, unlocked.master_key, code)
