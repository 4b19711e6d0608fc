"""An account whose master key is in memory for the length of one request or session."""

from __future__ import annotations

from dataclasses import dataclass

from api.store.ids import AccountId
from crypto.master_key import MasterKey

__all__ = ["UnlockedAccount"]


@dataclass(frozen=True, repr=False)
class UnlockedAccount:
    account_id: AccountId
    address: str
    master_key: MasterKey

    def __repr__(self) -> str:
        return f"UnlockedAccount({self.account_id}, {self.address}, <master key redacted>)"
