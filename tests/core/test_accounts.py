"""Accounts and domains: the key hierarchy end to end, address rules, and refusals."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from support.services import PASSWORD, create_account, reload, unlock

from api.core.account_settings import open_settings
from api.core.addresses import normalize_address, normalize_domain
from api.core.errors import (
    AccountExistsError,
    AccountNotFoundError,
    DomainExistsError,
    DomainInUseError,
    DomainNotFoundError,
    InvalidAddressError,
    WeakPasswordError,
)
from api.services import Services
from crypto.keypair import unwrap_private_key
from crypto.secret_value import SecretStr


async def test_new_account_key_hierarchy_works_end_to_end(services: Services) -> None:
    created = await create_account(services, display_name="Alice Liddell")
    account = created.account

    master_key = await unlock(services, account.id, PASSWORD)

    assert master_key is not None
    private_key = unwrap_private_key(master_key, account.wrapped_private_key, account_id=account.id)
    public_key = (
        X25519PrivateKey.from_private_bytes(private_key.reveal())
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    assert public_key == account.public_key
    settings = open_settings(master_key, account.id, account.settings_blob)
    assert settings.display_name == "Alice Liddell"
    assert created.recovery_code is None
    assert account.recovery_mode == "none"
    assert account.credential_epoch == 0


async def test_each_account_has_its_own_keys(services: Services) -> None:
    alice = (await create_account(services, "alice@example.org")).account
    bob = (await create_account(services, "bob@example.org")).account
    alice_key = await unlock(services, alice.id, PASSWORD)
    bob_key = await unlock(services, bob.id, PASSWORD)
    assert alice_key is not None
    assert bob_key is not None
    assert alice_key != bob_key
    assert alice.public_key != bob.public_key
    assert alice.password_salt != bob.password_salt


@pytest.mark.parametrize(
    "wrong",
    ["lantern orbit velvet cactu", "Lantern orbit velvet cactus", "lantern orbit velvet cactus "],
    ids=["truncated", "case", "trailing-space"],
)
async def test_wrong_password_unlocks_nothing(services: Services, wrong: str) -> None:
    account = (await create_account(services)).account
    assert await unlock(services, account.id, SecretStr(wrong)) is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Alice@Example.ORG", "alice@example.org"),
        ("  alice@example.org\t", "alice@example.org"),
        ("alice@example.org.", "alice@example.org"),
        ("Alice.Liddell+tag@example.org", "alice.liddell+tag@example.org"),
        ("dave@BÜCHER.example", "dave@xn--bcher-kva.example"),
        ("erin@xn--bcher-kva.example", "erin@xn--bcher-kva.example"),
    ],
)
async def test_addresses_are_normalised(services: Services, typed: str, stored: str) -> None:
    created = await create_account(services, typed)

    assert created.account.address == stored
    # Any spelling of the same address finds the same account.
    assert (await services.accounts.get(typed.upper())).id == created.account.id
    assert [d.name for d in await services.domains.list()] == [stored.partition("@")[2]]


@pytest.mark.parametrize(
    "address",
    [
        "",
        "alice",
        "@example.org",
        "alice@",
        "alice@@example.org",
        "al ice@example.org",
        ".alice@example.org",
        "alice.@example.org",
        "al..ice@example.org",
        '"alice"@example.org',
        "alice(comment)@example.org",
        f"{'a' * 65}@example.org",
        "alice@localhost",
        "alice@-example.org",
        "alice@example-.org",
        "alice@exa_mple.org",
        "alice@example..org",
        f"alice@{'a' * 64}.org",
        f"alice@{'.'.join(['abcdefghi'] * 26)}",
    ],
)
def test_invalid_addresses_are_refused(address: str) -> None:
    with pytest.raises(InvalidAddressError):
        normalize_address(address)


@pytest.mark.parametrize(
    "domain",
    ["", "localhost", "example", ".example.org", "exa mple.org", "example.org/x", "*.example.org"],
)
def test_invalid_domains_are_refused(domain: str) -> None:
    with pytest.raises(InvalidAddressError):
        normalize_domain(domain)


@pytest.mark.parametrize("domain", ["straße.example", "σίσυφος.example", "a\u200db.example"])
def test_domains_that_idna_versions_disagree_on_are_refused(domain: str) -> None:
    # IDNA 2003 would host "strasse.example" for "straße.example", someone else's domain.
    with pytest.raises(InvalidAddressError, match="xn--"):
        normalize_domain(domain)
    with pytest.raises(InvalidAddressError):
        normalize_address(f"alice@{domain}")


def test_the_ascii_form_of_such_a_domain_is_accepted() -> None:
    assert normalize_domain("XN--STRAE-OQA.example") == "xn--strae-oqa.example"


def test_longest_valid_local_part_and_domain_are_accepted() -> None:
    local, label = "a" * 64, "b" * 63
    domain = ".".join([label, label, label, "c" * 61])
    assert len(domain) == 253
    assert normalize_address(f"{local}@{domain}") == f"{local}@{domain}"


async def test_services_refuse_invalid_addresses_and_domains(services: Services) -> None:
    await services.domains.add("example.org")
    for address in ["alice", "al ice@example.org", "alice@exa_mple.org"]:
        with pytest.raises(InvalidAddressError):
            await services.accounts.create(address, PASSWORD)
    with pytest.raises(InvalidAddressError):
        await services.domains.add("not a domain")
    assert await services.accounts.list() == []


async def test_account_in_an_unknown_domain_is_refused(services: Services) -> None:
    await services.domains.add("example.org")
    with pytest.raises(DomainNotFoundError, match="sealbox domain add"):
        await services.accounts.create("alice@example.net", PASSWORD)
    assert await services.accounts.list() == []


async def test_weak_password_is_refused_before_anything_is_stored(services: Services) -> None:
    await services.domains.add("example.org")
    with pytest.raises(WeakPasswordError):
        await services.accounts.create("alice@example.org", SecretStr("password1234"))
    assert await services.accounts.list() == []


async def test_duplicate_account_is_refused(services: Services) -> None:
    first = (await create_account(services, "alice@example.org")).account
    with pytest.raises(AccountExistsError):
        await services.accounts.create("ALICE@example.org", SecretStr("another fine passphrase"))
    # The original account and its password are untouched.
    assert [a.id for a in await services.accounts.list()] == [first.id]
    assert await unlock(services, first.id, PASSWORD) is not None


async def test_account_get_list_remove(services: Services) -> None:
    bob = (await create_account(services, "bob@example.org")).account
    await create_account(services, "alice@example.org")
    assert [a.address for a in await services.accounts.list()] == [
        "alice@example.org",
        "bob@example.org",
    ]

    await services.accounts.remove("Alice@Example.org")

    assert [a.id for a in await services.accounts.list()] == [bob.id]
    with pytest.raises(AccountNotFoundError):
        await services.accounts.get("alice@example.org")
    with pytest.raises(AccountNotFoundError):
        await services.accounts.remove("alice@example.org")
    assert (await reload(services, bob.id)) == bob


async def test_domains_add_list_remove(services: Services) -> None:
    await services.domains.add("Example.ORG")
    await services.domains.add("bücher.example")
    with pytest.raises(DomainExistsError):
        await services.domains.add("example.org.")
    assert [d.name for d in await services.domains.list()] == [
        "example.org",
        "xn--bcher-kva.example",
    ]

    await services.domains.remove("BÜCHER.example")

    assert [d.name for d in await services.domains.list()] == ["example.org"]
    with pytest.raises(DomainNotFoundError):
        await services.domains.remove("bücher.example")


async def test_domain_with_accounts_cannot_be_removed(services: Services) -> None:
    await create_account(services, "alice@example.org")
    with pytest.raises(DomainInUseError):
        await services.domains.remove("example.org")
    assert [d.name for d in await services.domains.list()] == ["example.org"]

    await services.accounts.remove("alice@example.org")
    await services.domains.remove("example.org")
    assert await services.domains.list() == []
