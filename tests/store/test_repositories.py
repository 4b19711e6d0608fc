"""The repositories on both backends, through `Store.transaction()` as api.core uses them."""

from __future__ import annotations

import asyncio
import secrets

import pytest
from sqlalchemy import select
from support.records import placeholder_account

from api.services import Services
from api.store.errors import StoreConflictError
from api.store.ids import AccountId, AppPasswordId, DomainId
from api.store.models import AliasRow
from api.store.records import (
    AccountRecord,
    AppPasswordRecord,
    DomainRecord,
    LoginChallengeRecord,
    SessionRecord,
)
from api.store.unit_of_work import Store

DAY = 86400


def _session(account_id: str, *, expires_at: int) -> SessionRecord:
    return SessionRecord(
        id_hash=secrets.token_bytes(32),
        account_id=AccountId(account_id),
        wrapped_master_key=b"m" * 60,
        created_at=expires_at - 100,
        expires_at=expires_at,
    )


def _app_password(app_id: str, account_id: str, created_at: int) -> AppPasswordRecord:
    return AppPasswordRecord(
        id=AppPasswordId(app_id),
        account_id=AccountId(account_id),
        name=f"client {app_id}",
        salt=b"s" * 16,
        verifier=b"v" * 32,
        slot=b"m" * 60,
        created_at=created_at,
        last_used_day=None,
    )


async def _with_accounts(store: Store, *addresses: str) -> list[AccountRecord]:
    """Domain example.org plus one account per address, ids a0, a1, ..."""
    async with store.transaction() as tx:
        await tx.accounts.add_domain(DomainId("d0"), "example.org", 1)
        return [
            await tx.accounts.add_account(placeholder_account(f"a{n}", address, "d0"))
            for n, address in enumerate(addresses)
        ]


async def _account(store: Store, account_id: str) -> AccountRecord:
    async with store.transaction() as tx:
        record = await tx.accounts.get(AccountId(account_id))
    assert record is not None
    return record


# Domains


async def test_domain_add_get_list_remove(services: Services) -> None:
    store = services.store
    async with store.transaction() as tx:
        added = await tx.accounts.add_domain(DomainId("d1"), "zeta.example", 10)
        await tx.accounts.add_domain(DomainId("d2"), "alpha.example", 20)

    assert added == DomainRecord(id=DomainId("d1"), name="zeta.example", created_at=10)
    async with store.transaction() as tx:
        assert await tx.accounts.get_domain("zeta.example") == added
        assert await tx.accounts.get_domain("missing.example") is None
        assert [d.name for d in await tx.accounts.list_domains()] == [
            "alpha.example",
            "zeta.example",
        ]
        await tx.accounts.remove_domain(DomainId("d1"))
    async with store.transaction() as tx:
        assert await tx.accounts.get_domain("zeta.example") is None
        assert [d.name for d in await tx.accounts.list_domains()] == ["alpha.example"]


async def test_duplicate_domain_is_a_conflict_and_rolls_back(services: Services) -> None:
    async with services.store.transaction() as tx:
        await tx.accounts.add_domain(DomainId("d1"), "example.org", 1)
    with pytest.raises(StoreConflictError):
        async with services.store.transaction() as tx:
            await tx.accounts.add_domain(DomainId("d2"), "other.example", 1)
            await tx.accounts.add_domain(DomainId("d3"), "example.org", 1)
    async with services.store.transaction() as tx:
        # The failed transaction left nothing behind, not even its first write.
        assert [d.id for d in await tx.accounts.list_domains()] == ["d1"]


# Accounts


async def test_account_add_get_list_remove(services: Services) -> None:
    store = services.store
    bob, alice = await _with_accounts(store, "bob@example.org", "alice@example.org")
    assert alice.credential_epoch == 0
    assert alice.totp_sealed_secret is None
    assert not alice.has_second_factor

    async with store.transaction() as tx:
        assert await tx.accounts.get_by_address("alice@example.org") == alice
        assert await tx.accounts.get_by_address("carol@example.org") is None
        assert await tx.accounts.get(AccountId("a0")) == bob
        assert [a.address for a in await tx.accounts.list_accounts()] == [
            "alice@example.org",
            "bob@example.org",
        ]
        assert await tx.accounts.count_accounts_in_domain(DomainId("d0")) == 2
        await tx.accounts.remove(alice.id)
    async with store.transaction() as tx:
        assert await tx.accounts.get(alice.id) is None
        assert [a.id for a in await tx.accounts.list_accounts()] == [bob.id]


@pytest.mark.parametrize(
    ("account_id", "address", "domain_id"),
    [
        ("a9", "alice@example.org", "d0"),  # address taken
        ("a0", "other@example.org", "d0"),  # id taken
        ("a9", "other@example.org", "nope"),  # no such domain (foreign key)
    ],
    ids=["address", "id", "domain"],
)
async def test_account_conflicts(
    services: Services, account_id: str, address: str, domain_id: str
) -> None:
    await _with_accounts(services.store, "alice@example.org")
    with pytest.raises(StoreConflictError):
        async with services.store.transaction() as tx:
            await tx.accounts.add_account(placeholder_account(account_id, address, domain_id))


async def test_removing_an_account_removes_what_hangs_off_it(services: Services) -> None:
    store = services.store
    alice, bob = await _with_accounts(store, "alice@example.org", "bob@example.org")
    alice_session, bob_session = _session("a0", expires_at=5000), _session("a1", expires_at=5000)
    async with store.database.session() as session:
        session.add_all(
            [
                AliasRow(address="postmaster@example.org", account_id=alice.id),
                AliasRow(address="bobby@example.org", account_id=bob.id),
            ]
        )
    async with store.transaction() as tx:
        await tx.credentials.add_app_password(_app_password("p1", alice.id, 1))
        await tx.credentials.add_session(alice_session)
        await tx.credentials.add_session(bob_session)
        await tx.accounts.remove(alice.id)

    async with store.database.session() as session:
        aliases = {row.address: row.account_id for row in await session.scalars(select(AliasRow))}
    assert aliases == {"bobby@example.org": bob.id}
    async with store.transaction() as tx:
        assert await tx.credentials.list_app_passwords(alice.id) == []
        assert await tx.credentials.get_session(alice_session.id_hash, 0) is None
        assert await tx.credentials.get_session(bob_session.id_hash, 0) == bob_session
        # A domain can go once its accounts are gone.
        assert await tx.accounts.count_accounts_in_domain(DomainId("d0")) == 1


async def test_update_password_replaces_the_slot_and_bumps_the_epoch(services: Services) -> None:
    store = services.store
    alice, bob = await _with_accounts(store, "alice@example.org", "bob@example.org")
    async with store.transaction() as tx:
        await tx.accounts.update_password(
            alice.id,
            salt=b"S" * 16,
            time_cost=3,
            memory_kib=65536,
            parallelism=4,
            verifier=b"V" * 32,
            slot=b"P" * 60,
        )
    after = await _account(store, alice.id)
    assert (after.password_salt, after.password_verifier, after.password_slot) == (
        b"S" * 16,
        b"V" * 32,
        b"P" * 60,
    )
    assert (after.argon2_time_cost, after.argon2_memory_kib, after.argon2_parallelism) == (
        3,
        65536,
        4,
    )
    assert after.credential_epoch == alice.credential_epoch + 1
    assert await _account(store, bob.id) == bob


async def test_epoch_moves_with_every_credential_change(services: Services) -> None:
    store = services.store
    (alice,) = await _with_accounts(store, "alice@example.org")
    async with store.transaction() as tx:
        await tx.accounts.bump_credential_epoch(alice.id)
        await tx.accounts.set_totp(alice.id, b"sealed")
    with_totp = await _account(store, alice.id)
    assert with_totp.credential_epoch == 2
    assert with_totp.has_second_factor
    async with store.transaction() as tx:
        await tx.accounts.set_totp(alice.id, None)
        replaced = await tx.accounts.replace_recovery(
            alice.id, expected_slot=with_totp.recovery_slot, salt=b"r" * 16, slot=b"R" * 60
        )
        # Compare-and-set: a second swap that expects the old slot finds it gone.
        stale = await tx.accounts.replace_recovery(
            alice.id, expected_slot=with_totp.recovery_slot, salt=b"x" * 16, slot=b"X" * 60
        )
    assert (replaced, stale) == (True, False)
    after = await _account(store, alice.id)
    assert after.credential_epoch == 3
    assert not after.has_second_factor
    assert (after.recovery_salt, after.recovery_slot) == (b"r" * 16, b"R" * 60)


async def test_claim_totp_step_refuses_equal_and_older_steps(services: Services) -> None:
    store = services.store
    (alice,) = await _with_accounts(store, "alice@example.org")
    outcomes = []
    for step in [100, 100, 99, 101, 50, 102]:
        async with store.transaction() as tx:
            outcomes.append((step, await tx.accounts.claim_totp_step(alice.id, step)))
    assert outcomes == [
        (100, True),
        (100, False),
        (99, False),
        (101, True),
        (50, False),
        (102, True),
    ]
    assert (await _account(store, alice.id)).totp_last_step == 102


async def test_claim_totp_step_is_atomic_under_concurrency(services: Services) -> None:
    """Two sign-ins racing with the same code: exactly one may win."""
    store = services.store
    (alice,) = await _with_accounts(store, "alice@example.org")

    async def claim() -> bool:
        async with store.transaction() as tx:
            return await tx.accounts.claim_totp_step(alice.id, 7)

    results = await asyncio.gather(*(claim() for _ in range(6)))
    assert sorted(results) == [False] * 5 + [True]


async def test_claim_totp_step_for_an_unknown_account_is_refused(services: Services) -> None:
    async with services.store.transaction() as tx:
        assert not await tx.accounts.claim_totp_step(AccountId("nobody"), 1)


# App passwords


async def test_app_password_add_list_remove(services: Services) -> None:
    store = services.store
    alice, bob = await _with_accounts(store, "alice@example.org", "bob@example.org")
    first, second = _app_password("p1", alice.id, 20), _app_password("p2", alice.id, 10)
    async with store.transaction() as tx:
        await tx.credentials.add_app_password(first)
        await tx.credentials.add_app_password(second)
        await tx.credentials.add_app_password(_app_password("p3", bob.id, 5))

    async with store.transaction() as tx:
        assert await tx.credentials.list_app_passwords(alice.id) == [second, first]
        # Another account's id, or an unknown one, removes nothing.
        assert not await tx.credentials.remove_app_password(alice.id, AppPasswordId("p3"))
        assert not await tx.credentials.remove_app_password(alice.id, AppPasswordId("p9"))
        assert await tx.credentials.remove_app_password(alice.id, AppPasswordId("p1"))
    async with store.transaction() as tx:
        assert await tx.credentials.list_app_passwords(alice.id) == [second]
        assert [r.id for r in await tx.credentials.list_app_passwords(bob.id)] == ["p3"]


async def test_app_password_last_used_day_never_moves_backwards(services: Services) -> None:
    store = services.store
    (alice,) = await _with_accounts(store, "alice@example.org")
    today = 20_000 * DAY
    async with store.transaction() as tx:
        await tx.credentials.add_app_password(_app_password("p1", alice.id, 1))

    seen = []
    for day in [today, today - DAY, today, today + DAY, today]:
        async with store.transaction() as tx:
            await tx.credentials.mark_app_password_used(AppPasswordId("p1"), day)
            (record,) = await tx.credentials.list_app_passwords(alice.id)
        seen.append(record.last_used_day)
    assert seen == [today, today, today, today + DAY, today + DAY]


# Sessions and TOTP challenges


async def test_sessions_add_get_remove(services: Services) -> None:
    store = services.store
    (alice,) = await _with_accounts(store, "alice@example.org")
    live, expired = _session(alice.id, expires_at=2000), _session(alice.id, expires_at=999)
    async with store.transaction() as tx:
        await tx.credentials.add_session(live)
        await tx.credentials.add_session(expired)

    async with store.transaction() as tx:
        assert await tx.credentials.get_session(live.id_hash, 1000) == live
        assert await tx.credentials.get_session(expired.id_hash, 1000) is None
        # The expiry instant itself is already too late.
        assert await tx.credentials.get_session(live.id_hash, 2000) is None
        assert await tx.credentials.get_session(secrets.token_bytes(32), 1000) is None
        await tx.credentials.remove_session(live.id_hash)
    async with store.transaction() as tx:
        assert await tx.credentials.get_session(live.id_hash, 1000) is None


@pytest.mark.parametrize("keep", [True, False], ids=["keep-one", "all"])
async def test_remove_sessions_of_an_account(services: Services, keep: bool) -> None:
    store = services.store
    alice, bob = await _with_accounts(store, "alice@example.org", "bob@example.org")
    alice_sessions = [_session(alice.id, expires_at=5000) for _ in range(3)]
    bobs = _session(bob.id, expires_at=5000)
    async with store.transaction() as tx:
        for record in [*alice_sessions, bobs]:
            await tx.credentials.add_session(record)
        kept = alice_sessions[1].id_hash if keep else None
        await tx.credentials.remove_sessions(alice.id, keep=kept)

    async with store.transaction() as tx:
        remaining = [
            record.id_hash
            for record in [*alice_sessions, bobs]
            if await tx.credentials.get_session(record.id_hash, 0) is not None
        ]
    assert remaining == ([alice_sessions[1].id_hash] if keep else []) + [bobs.id_hash]


async def test_purge_expired_drops_old_sessions_and_challenges(services: Services) -> None:
    store = services.store
    (alice,) = await _with_accounts(store, "alice@example.org")
    sessions = [_session(alice.id, expires_at=t) for t in (900, 1000, 1100)]
    challenges = [
        LoginChallengeRecord(
            id_hash=secrets.token_bytes(32),
            account_id=alice.id,
            wrapped_master_key=b"m" * 60,
            attempts=0,
            expires_at=t,
        )
        for t in (900, 1000, 1100)
    ]
    async with store.transaction() as tx:
        for session in sessions:
            await tx.credentials.add_session(session)
        for challenge in challenges:
            await tx.credentials.add_challenge(challenge)
        await tx.credentials.purge_expired(1000)

    async with store.transaction() as tx:
        # Looked up "at time 0" so only the purge, not the expiry filter, decides.
        left_sessions = [await tx.credentials.get_session(s.id_hash, 0) for s in sessions]
        left_challenges = [await tx.credentials.get_challenge(c.id_hash, 0) for c in challenges]
    assert left_sessions == [None, None, sessions[2]]
    assert left_challenges == [None, None, challenges[2]]


async def test_challenges_count_attempts_and_expire(services: Services) -> None:
    store = services.store
    (alice,) = await _with_accounts(store, "alice@example.org")
    challenge = LoginChallengeRecord(
        id_hash=secrets.token_bytes(32),
        account_id=alice.id,
        wrapped_master_key=b"m" * 60,
        attempts=0,
        expires_at=1300,
    )
    async with store.transaction() as tx:
        await tx.credentials.add_challenge(challenge)
    for _ in range(3):
        async with store.transaction() as tx:
            await tx.credentials.count_challenge_attempt(challenge.id_hash)

    async with store.transaction() as tx:
        current = await tx.credentials.get_challenge(challenge.id_hash, 1000)
        assert await tx.credentials.get_challenge(challenge.id_hash, 1300) is None
        await tx.credentials.remove_challenge(challenge.id_hash)
    assert current is not None
    assert current.attempts == 3
    async with store.transaction() as tx:
        assert await tx.credentials.get_challenge(challenge.id_hash, 1000) is None


# Throttle


async def test_instance_secret_is_stable_across_calls_and_transactions(
    services: Services,
) -> None:
    async with services.store.transaction() as tx:
        first = await tx.throttle.instance_secret("login-throttle")
        again = await tx.throttle.instance_secret("login-throttle")
        other = await tx.throttle.instance_secret("something-else")
    async with services.store.transaction() as tx:
        later = await tx.throttle.instance_secret("login-throttle")
    assert len(first) == 32
    assert first == again == later
    assert other != first


async def test_record_failure_counts_within_a_window_and_restarts_when_stale(
    services: Services,
) -> None:
    window = 900
    key, other_key = b"k" * 32, b"o" * 32
    steps = []
    async with services.store.transaction() as tx:
        for now in (1000, 1010, 1800):
            steps.append(await tx.throttle.record_failure(key, now, now - window))
        steps.append(await tx.throttle.record_failure(other_key, 1800, 1800 - window))
        assert await tx.throttle.failures(key, 1800 - window) == (3, 1000)
        # Past the window of its first failure the counter starts again at one.
        steps.append(await tx.throttle.record_failure(key, 1901, 1901 - window))
        assert await tx.throttle.failures(key, 1901 - window) == (1, 1901)
        assert await tx.throttle.failures(b"x" * 32, 0) == (0, 0)
    assert steps == [1, 2, 3, 1, 1]


async def test_failures_outside_the_window_read_as_none(services: Services) -> None:
    key = b"k" * 32
    async with services.store.transaction() as tx:
        await tx.throttle.record_failure(key, 1000, 100)
    async with services.store.transaction() as tx:
        assert await tx.throttle.failures(key, 1000) == (1, 1000)
        assert await tx.throttle.failures(key, 1001) == (0, 0)


async def test_clear_and_purge_before(services: Services) -> None:
    old, recent, cleared = b"o" * 32, b"r" * 32, b"c" * 32
    async with services.store.transaction() as tx:
        await tx.throttle.record_failure(old, 100, 0)
        await tx.throttle.record_failure(recent, 500, 0)
        await tx.throttle.record_failure(cleared, 500, 0)
        await tx.throttle.clear(cleared)
        await tx.throttle.purge_before(200)
    async with services.store.transaction() as tx:
        counts = [await tx.throttle.failures(key, 0) for key in (old, recent, cleared)]
    assert counts == [(0, 0), (1, 500), (0, 0)]


async def test_concurrent_failures_on_one_key_are_all_counted(services: Services) -> None:
    """Ten sign-ins failing at once, each in its own transaction, must count ten."""
    key = b"k" * 32

    async def fail() -> int:
        async with services.store.transaction() as tx:
            return await tx.throttle.record_failure(key, 1000, 100)

    totals = await asyncio.gather(*(fail() for _ in range(10)))
    assert sorted(totals) == list(range(1, 11))
    async with services.store.transaction() as tx:
        assert await tx.throttle.failures(key, 100) == (10, 1000)


async def test_first_instance_secret_is_agreed_under_concurrency(services: Services) -> None:
    """Nodes asking for a secret that does not exist yet must all get the same one."""

    async def ask() -> bytes:
        async with services.store.transaction() as tx:
            return await tx.throttle.instance_secret("fresh")

    secrets_seen = await asyncio.gather(*(ask() for _ in range(5)))
    assert len(set(secrets_seen)) == 1
