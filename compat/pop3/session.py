"""The POP3 session state (RFC 1939 3), a tagged union: AUTHORIZATION until a sign-in
succeeds, TRANSACTION after it; QUIT in TRANSACTION runs UPDATE and ends the connection."""

from __future__ import annotations

from dataclasses import dataclass

from api.core.unlocked import UnlockedAccount
from compat.pop3.gateway import Pop3Gateway
from compat.pop3.maildrop import Maildrop

__all__ = ["Authorization", "SessionState", "Transaction"]


@dataclass
class Authorization:
    # The name from USER, waiting for PASS (RFC 1939 7).
    user: str | None = None


@dataclass
class Transaction:
    account: UnlockedAccount
    jmap: Pop3Gateway
    maildrop: Maildrop
    inbox_id: str
    trash_id: str | None


SessionState = Authorization | Transaction
