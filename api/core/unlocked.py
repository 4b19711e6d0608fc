"""An account whose master key is in memory for the length of one request or session."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.store.ids import AccountId
from crypto.keypair import unwrap_private_key
from crypto.master_key import MasterKey
from crypto.secret_value import SecretBytes

__all__ = ["UnlockedAccount"]


@dataclass(frozen=True, repr=False)
class UnlockedAccount:
    account_id: AccountId
    address: str
    master_key: MasterKey
    # The account row's wrapped X25519 private key, when whoever unlocked had the row
    # at hand (sign-in always does): then opening a blob needs no second account read.
    wrapped_private_key: bytes | None = field(default=None, compare=False)
    # The private key once unwrapped: derived from MK, which this object already holds,
    # so keeping it as long adds no exposure.
    _private_key: list[SecretBytes] = field(default_factory=list, init=False, compare=False)

    def private_key(self, wrapped: bytes | None = None) -> SecretBytes:
        """The account's private key, unwrapped once; `wrapped` if none came with it.

        Raises KeyError when neither this object nor the caller has the wrapped key.
        """
        if not self._private_key:
            source = self.wrapped_private_key if wrapped is None else wrapped
            if source is None:
                raise KeyError("no wrapped private key")
            self._private_key.append(
                unwrap_private_key(self.master_key, source, account_id=self.account_id)
            )
        return self._private_key[0]

    @property
    def has_private_key(self) -> bool:
        return bool(self._private_key) or self.wrapped_private_key is not None

    def __repr__(self) -> str:
        return f"UnlockedAccount({self.account_id}, {self.address}, <master key redacted>)"
