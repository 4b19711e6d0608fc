"""Interactive sign-in: password, optional TOTP, a session that unlocks MK, and throttling."""

from __future__ import annotations

import pyotp
import pytest
from support.services import PASSWORD, ServicesFactory, create_account, reload, unlock

from api.auth.login import SignedIn, TotpRequired
from api.auth.sessions import MAX_TOTP_ATTEMPTS
from api.core.errors import InvalidCredentialsError, InvalidTotpError, TooManyAttemptsError
from api.services import Services
from api.store.ids import AccountId
from crypto.master_key import MasterKey
from crypto.secret_value import SecretStr

CLIENT = "192.0.2.10"
WRONG = SecretStr("not the password at all")


async def _alice(services: Services) -> tuple[AccountId, MasterKey]:
    account = (await create_account(services)).account
    master_key = await unlock(services, account.id, PASSWORD)
    assert master_key is not None
    return account.id, master_key


async def _enable_totp(services: Services, account_id: AccountId) -> pyotp.TOTP:
    uri = await services.totp.enable(await reload(services, account_id))
    parsed = pyotp.parse_uri(uri.reveal())
    assert isinstance(parsed, pyotp.TOTP)
    return parsed


async def test_login_without_totp_gives_a_session_on_the_same_key(services: Services) -> None:
    account_id, master_key = await _alice(services)

    result = await services.login.login("Alice@Example.org", PASSWORD, CLIENT)

    assert isinstance(result, SignedIn)
    assert (result.account_id, result.address) == (account_id, "alice@example.org")
    assert result.token not in repr(result)
    resolved = await services.sessions.resolve(result.token)
    assert resolved is not None
    assert resolved.unlocked.account_id == account_id
    assert resolved.unlocked.master_key == master_key


async def test_each_login_is_its_own_session(services: Services) -> None:
    await _alice(services)
    first = await services.login.login("alice@example.org", PASSWORD, CLIENT)
    second = await services.login.login("alice@example.org", PASSWORD, CLIENT)
    assert isinstance(first, SignedIn)
    assert isinstance(second, SignedIn)
    assert first.token != second.token

    await services.sessions.revoke(first.token)

    assert await services.sessions.resolve(first.token) is None
    assert await services.sessions.resolve(second.token) is not None


@pytest.mark.parametrize(
    "token",
    ["", "sbs1_", "sbs1_" + "A" * 64, "sbc1_" + "A" * 64, "Bearer nonsense"],
    ids=["empty", "prefix-only", "unknown", "challenge-prefix", "garbage"],
)
async def test_bad_tokens_resolve_to_nothing(services: Services, token: str) -> None:
    await _alice(services)
    assert await services.sessions.resolve(token) is None


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("alice@example.org", WRONG),
        ("nobody@example.org", PASSWORD),
        ("not an address", PASSWORD),
    ],
    ids=["wrong-password", "unknown-address", "malformed-address"],
)
async def test_failed_logins_all_look_alike(
    services: Services, username: str, password: SecretStr
) -> None:
    await _alice(services)
    with pytest.raises(InvalidCredentialsError) as refused:
        await services.login.login(username, password, CLIENT)
    assert refused.value.message == InvalidCredentialsError.default_message


async def test_login_with_totp_needs_the_code_once(services: Services) -> None:
    account_id, master_key = await _alice(services)
    totp = await _enable_totp(services, account_id)

    pending = await services.login.login("alice@example.org", PASSWORD, CLIENT)

    assert isinstance(pending, TotpRequired)
    assert pending.challenge not in repr(pending)
    # The challenge is not a session.
    assert await services.sessions.resolve(pending.challenge) is None
    signed_in = await services.login.complete_totp(pending.challenge, totp.now(), CLIENT)
    resolved = await services.sessions.resolve(signed_in.token)
    assert resolved is not None
    assert resolved.unlocked.master_key == master_key
    with pytest.raises(InvalidTotpError, match="expired"):
        await services.login.complete_totp(pending.challenge, totp.now(), CLIENT)


async def test_a_wrong_code_can_be_retried_until_the_attempts_run_out(
    services: Services,
) -> None:
    account_id, _ = await _alice(services)
    totp = await _enable_totp(services, account_id)
    pending = await services.login.login("alice@example.org", PASSWORD, CLIENT)
    assert isinstance(pending, TotpRequired)
    wrong = f"{(int(totp.now()) + 500_000) % 1_000_000:06d}"

    with pytest.raises(InvalidTotpError):
        await services.login.complete_totp(pending.challenge, wrong, CLIENT)
    signed_in = await services.login.complete_totp(pending.challenge, totp.now(), CLIENT)
    assert await services.sessions.resolve(signed_in.token) is not None

    exhausted = await services.login.login("alice@example.org", PASSWORD, CLIENT)
    assert isinstance(exhausted, TotpRequired)
    for _ in range(MAX_TOTP_ATTEMPTS):
        with pytest.raises(InvalidTotpError):
            await services.login.complete_totp(exhausted.challenge, wrong, CLIENT)
    with pytest.raises(InvalidTotpError, match="expired"):
        await services.login.complete_totp(exhausted.challenge, totp.now(), CLIENT)


async def test_throttle_refuses_after_the_account_limit(make_services: ServicesFactory) -> None:
    services = await make_services(login_max_failures_per_account=3)
    await _alice(services)
    for _ in range(3):
        with pytest.raises(InvalidCredentialsError):
            await services.login.login("alice@example.org", WRONG, CLIENT)

    # Even the right password is refused now, and from another client too.
    for client in [CLIENT, "198.51.100.7"]:
        with pytest.raises(TooManyAttemptsError) as refused:
            await services.login.login("alice@example.org", PASSWORD, client)
        window = services.settings.login_failure_window_seconds
        assert 0 < refused.value.retry_after <= window
        assert str(refused.value.retry_after) in refused.value.message


async def test_unknown_addresses_are_throttled_like_real_ones(
    make_services: ServicesFactory,
) -> None:
    services = await make_services(login_max_failures_per_account=2)
    for _ in range(2):
        with pytest.raises(InvalidCredentialsError):
            await services.login.login("nobody@example.org", WRONG, CLIENT)
    with pytest.raises(TooManyAttemptsError):
        await services.login.login("NOBODY@example.org", WRONG, CLIENT)


async def test_throttle_refuses_a_client_guessing_across_accounts(
    make_services: ServicesFactory,
) -> None:
    services = await make_services(login_max_failures_per_client=3)
    await _alice(services)
    for name in ["bob", "carol", "dave"]:
        with pytest.raises(InvalidCredentialsError):
            await services.login.login(f"{name}@example.org", WRONG, CLIENT)

    with pytest.raises(TooManyAttemptsError):
        await services.login.login("alice@example.org", PASSWORD, CLIENT)
    # Another client is not held back by this one's failures.
    assert isinstance(
        await services.login.login("alice@example.org", PASSWORD, "198.51.100.7"), SignedIn
    )


async def test_success_resets_the_account_counter(make_services: ServicesFactory) -> None:
    services = await make_services(login_max_failures_per_account=3)
    await _alice(services)
    for round_ in range(3):
        for _ in range(2):
            with pytest.raises(InvalidCredentialsError):
                await services.login.login("alice@example.org", WRONG, f"192.0.2.{round_}")
        result = await services.login.login("alice@example.org", PASSWORD, f"192.0.2.{round_}")
        assert isinstance(result, SignedIn)


async def test_wrong_totp_codes_count_against_the_throttle(
    make_services: ServicesFactory,
) -> None:
    services = await make_services(login_max_failures_per_account=2)
    account_id, _ = await _alice(services)
    totp = await _enable_totp(services, account_id)
    wrong = f"{(int(totp.now()) + 500_000) % 1_000_000:06d}"

    for _ in range(2):
        pending = await services.login.login("alice@example.org", PASSWORD, CLIENT)
        assert isinstance(pending, TotpRequired)
        with pytest.raises(InvalidTotpError):
            await services.login.complete_totp(pending.challenge, wrong, CLIENT)

    with pytest.raises(TooManyAttemptsError):
        await services.login.login("alice@example.org", PASSWORD, CLIENT)
