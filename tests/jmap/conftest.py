"""Fixtures for the JMAP protocol tests: services on a scratch directory and a caller."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.environment import sealbox_settings

from api.core.unlocked import UnlockedAccount
from api.services import Services, build_services
from api.store.ids import AccountId
from crypto.master_key import MasterKey


@pytest.fixture(scope="module")
async def jmap_services(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Services]:
    """Unmigrated services: the protocol layer under test never touches the database."""
    services = build_services(sealbox_settings(tmp_path_factory.mktemp("jmap") / "data"))
    yield services
    await services.close()


@pytest.fixture
def alice() -> UnlockedAccount:
    return UnlockedAccount(AccountId("aalice"), "alice@example.org", MasterKey.generate())
