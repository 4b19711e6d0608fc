"""The in-memory unlock cache: short-lived, epoch-checked, per (account, secret), bounded."""

from __future__ import annotations

import pickle
import time

import pytest

from api.auth.unlock_cache import UnlockCache
from api.store.ids import AccountId
from crypto.master_key import MasterKey

ALICE, BOB = AccountId("aalice"), AccountId("abob")


def test_hit_returns_the_stored_key() -> None:
    cache = UnlockCache(ttl_seconds=60)
    key = MasterKey.generate()
    cache.put(ALICE, "app-secret", 3, key)
    assert cache.get(ALICE, "app-secret", 3) == key
    assert cache.get(ALICE, "app-secret", 3) == key


def test_entries_expire() -> None:
    cache = UnlockCache(ttl_seconds=0.05)
    cache.put(ALICE, "app-secret", 0, MasterKey.generate())
    assert cache.get(ALICE, "app-secret", 0) is not None
    time.sleep(0.1)
    assert cache.get(ALICE, "app-secret", 0) is None


@pytest.mark.parametrize("ttl", [0, -1])
def test_a_non_positive_ttl_disables_the_cache(ttl: float) -> None:
    cache = UnlockCache(ttl_seconds=ttl)
    cache.put(ALICE, "app-secret", 0, MasterKey.generate())
    assert cache.get(ALICE, "app-secret", 0) is None


def test_a_moved_epoch_drops_the_entry_for_good() -> None:
    cache = UnlockCache(ttl_seconds=60)
    cache.put(ALICE, "old-password", 1, MasterKey.generate())

    assert cache.get(ALICE, "old-password", 2) is None
    # Dropped, not just hidden: asking with the old epoch again finds nothing either.
    assert cache.get(ALICE, "old-password", 1) is None


@pytest.mark.parametrize(
    ("account", "secret"),
    [(BOB, "shared-secret"), (ALICE, "other-secret"), (ALICE, "Shared-secret"), (ALICE, "")],
    ids=["other-account", "other-secret", "case", "empty"],
)
def test_entries_are_per_account_and_secret(account: AccountId, secret: str) -> None:
    cache = UnlockCache(ttl_seconds=60)
    cache.put(ALICE, "shared-secret", 0, MasterKey.generate())
    assert cache.get(account, secret, 0) is None


def test_account_and_secret_cannot_be_shifted_into_each_other() -> None:
    # Without a separator "a" + "bc" and "ab" + "c" would share an entry.
    cache = UnlockCache(ttl_seconds=60)
    cache.put(AccountId("a"), "bc", 0, MasterKey.generate())
    assert cache.get(AccountId("ab"), "c", 0) is None


def test_a_full_cache_evicts_the_oldest_entry() -> None:
    cache = UnlockCache(ttl_seconds=60, max_entries=3)
    keys = {name: MasterKey.generate() for name in ["one", "two", "three", "four"]}
    for name in ["one", "two", "three"]:
        cache.put(ALICE, name, 0, keys[name])
    # Putting "one" again makes it the newest, so "two" is now the oldest.
    cache.put(ALICE, "one", 0, keys["one"])

    cache.put(ALICE, "four", 0, keys["four"])

    found = {name: cache.get(ALICE, name, 0) for name in keys}
    assert found == {"one": keys["one"], "two": None, "three": keys["three"], "four": keys["four"]}


def test_clear_forgets_everything() -> None:
    cache = UnlockCache(ttl_seconds=60)
    cache.put(ALICE, "a", 0, MasterKey.generate())
    cache.put(BOB, "b", 0, MasterKey.generate())
    cache.clear()
    assert cache.get(ALICE, "a", 0) is None
    assert cache.get(BOB, "b", 0) is None


def test_nothing_in_the_cache_shows_or_persists_key_bytes() -> None:
    cache = UnlockCache(ttl_seconds=60)
    key = MasterKey.generate()
    cache.put(ALICE, "app-secret", 0, key)
    # The entries themselves are private; reach them only to look at their reprs.
    entries = list(cache._entries.values())
    assert len(entries) == 1

    shown = [repr(cache), str(cache), repr(entries[0]), str(entries[0]), repr(entries)]
    for text in shown:
        assert key.reveal().hex() not in text
        assert repr(key.reveal()) not in text
        assert "app-secret" not in text
    # A pickled cache would put master keys on disk; it must refuse.
    with pytest.raises(TypeError):
        pickle.dumps(cache)
