"""Sign-in sessions and pending TOTP challenges (DESIGN.md, Keys: Sessions).

The client holds the token (id + session key); the server keeps only a hash of the id
and MK wrapped under the session key, so nothing at rest unlocks mail and any node can
serve the session.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.core.clock import now
from api.core.unlocked import UnlockedAccount
from api.store.records import AccountRecord, LoginChallengeRecord, SessionRecord
from api.store.unit_of_work import Store
from crypto.errors import CryptoError
from crypto.master_key import MasterKey
from crypto.slots import unwrap_master_key, wrap_master_key
from crypto.tokens import (
    new_challenge_token,
    new_session_token,
    parse_challenge_token,
    parse_session_token,
)

__all__ = ["PendingChallenge", "ResolvedSession", "SessionManager"]

MAX_TOTP_ATTEMPTS = 5


@dataclass(frozen=True)
class ResolvedSession:
    unlocked: UnlockedAccount
    id_hash: bytes


@dataclass(frozen=True)
class PendingChallenge:
    account: AccountRecord
    master_key: MasterKey
    id_hash: bytes
    attempts: int


class SessionManager:
    def __init__(self, store: Store, *, session_ttl: int, challenge_ttl: int) -> None:
        self._store = store
        self._session_ttl = session_ttl
        self._challenge_ttl = challenge_ttl

    async def create(self, account: AccountRecord, master_key: MasterKey) -> str:
        token = new_session_token()
        created = now()
        record = SessionRecord(
            id_hash=token.id_hash,
            account_id=account.id,
            wrapped_master_key=wrap_master_key(
                token.session_key, master_key, account_id=account.id, slot="session"
            ),
            created_at=created,
            expires_at=created + self._session_ttl,
        )
        async with self._store.transaction() as tx:
            await tx.credentials.add_session(record)
            await tx.credentials.purge_expired(created)
        return token.token

    async def resolve(self, token: str) -> ResolvedSession | None:
        try:
            parsed = parse_session_token(token)
        except CryptoError:
            return None
        async with self._store.transaction() as tx:
            record = await tx.credentials.get_session(parsed.id_hash, now())
            account = None if record is None else await tx.accounts.get(record.account_id)
        if record is None or account is None:
            return None
        try:
            master_key = unwrap_master_key(
                parsed.session_key, record.wrapped_master_key, account_id=account.id, slot="session"
            )
        except CryptoError:
            return None
        unlocked = UnlockedAccount(
            account.id, account.address, master_key, account.wrapped_private_key
        )
        return ResolvedSession(unlocked=unlocked, id_hash=parsed.id_hash)

    async def revoke(self, token: str) -> None:
        try:
            parsed = parse_session_token(token)
        except CryptoError:
            return
        async with self._store.transaction() as tx:
            await tx.credentials.remove_session(parsed.id_hash)

    async def create_challenge(self, account: AccountRecord, master_key: MasterKey) -> str:
        token = new_challenge_token()
        record = LoginChallengeRecord(
            id_hash=token.id_hash,
            account_id=account.id,
            wrapped_master_key=wrap_master_key(
                token.session_key, master_key, account_id=account.id, slot="challenge"
            ),
            attempts=0,
            expires_at=now() + self._challenge_ttl,
        )
        async with self._store.transaction() as tx:
            await tx.credentials.add_challenge(record)
        return token.token

    async def open_challenge(self, challenge: str) -> PendingChallenge | None:
        try:
            parsed = parse_challenge_token(challenge)
        except CryptoError:
            return None
        async with self._store.transaction() as tx:
            record = await tx.credentials.get_challenge(parsed.id_hash, now())
            account = None if record is None else await tx.accounts.get(record.account_id)
        if record is None or account is None or record.attempts >= MAX_TOTP_ATTEMPTS:
            return None
        try:
            master_key = unwrap_master_key(
                parsed.session_key,
                record.wrapped_master_key,
                account_id=account.id,
                slot="challenge",
            )
        except CryptoError:
            return None
        return PendingChallenge(account, master_key, parsed.id_hash, record.attempts)

    async def fail_challenge(self, pending: PendingChallenge) -> None:
        async with self._store.transaction() as tx:
            if pending.attempts + 1 >= MAX_TOTP_ATTEMPTS:
                await tx.credentials.remove_challenge(pending.id_hash)
            else:
                await tx.credentials.count_challenge_attempt(pending.id_hash)

    async def finish_challenge(self, pending: PendingChallenge) -> None:
        async with self._store.transaction() as tx:
            await tx.credentials.remove_challenge(pending.id_hash)
