"""Interactive sign-in: password, then TOTP or a passkey when the account has either,
then a session.

An unknown address and a wrong password take the same time (one Argon2 run) and give
the same error; both count against the throttle.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from api.auth.passkeys import PasskeyService
from api.auth.sessions import SessionManager
from api.auth.throttle import LoginThrottle
from api.core.addresses import normalize_address
from api.core.errors import InvalidAddressError, InvalidCredentialsError, InvalidTotpError
from api.core.password_keys import PasswordKeyDeriver
from api.core.totp import TotpService
from api.core.unlock import burn_password_cost, unlock_with_password
from api.store.records import AccountRecord
from api.store.unit_of_work import Store
from crypto.master_key import MasterKey
from crypto.secret_value import SecretStr
from crypto.tokens import parse_challenge_token

__all__ = ["LoginService", "SignedIn", "TotpRequired"]


@dataclass(frozen=True, repr=False)
class SignedIn:
    token: str
    account_id: str
    address: str

    def __repr__(self) -> str:
        return f"SignedIn({self.account_id}, <token redacted>)"


@dataclass(frozen=True, repr=False)
class TotpRequired:
    """The password was right; a second factor completes the sign-in.

    `totp` says whether a TOTP code does; `passkey_options` (WebAuthn request options)
    are set when the account has passkeys, and then a passkey assertion does too.
    """

    challenge: str
    totp: bool = True
    passkey_options: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return "TotpRequired(<challenge redacted>)"


class LoginService:
    def __init__(
        self,
        store: Store,
        deriver: PasswordKeyDeriver,
        throttle: LoginThrottle,
        sessions: SessionManager,
        totp: TotpService,
        passkeys: PasskeyService,
    ) -> None:
        self._store = store
        self._deriver = deriver
        self._throttle = throttle
        self._sessions = sessions
        self._totp = totp
        self._passkeys = passkeys

    async def verify_password(
        self, username: str, password: SecretStr, client: str
    ) -> tuple[AccountRecord, MasterKey]:
        """The throttled password check shared by sign-in and Basic auth."""
        try:
            address = normalize_address(username)
        except InvalidAddressError:
            address = username.strip().lower()[:320]
        await self._throttle.check(address, client)
        async with self._store.transaction() as tx:
            account = await tx.accounts.get_by_address(address)
        if account is None:
            # A salt that is stable per address, so repeated probes look like a real account.
            salt = hashlib.sha256(b"sealbox/v1/decoy-salt\x00" + address.encode()).digest()[:16]
            await burn_password_cost(self._deriver, password, salt)
            master_key = None
        else:
            master_key = await unlock_with_password(self._deriver, account, password)
        if account is None or master_key is None:
            await self._throttle.failed(address, client)
            raise InvalidCredentialsError()
        return account, master_key

    async def signed_in(self, account: AccountRecord) -> None:
        """Forgive past failures, once every factor has been checked.

        Not after the password alone: each new sign-in would then forgive wrong TOTP
        codes, and someone holding the password could guess codes without limit.
        """
        await self._throttle.succeeded(account.address)

    async def login(
        self, username: str, password: SecretStr, client: str
    ) -> SignedIn | TotpRequired:
        account, master_key = await self.verify_password(username, password, client)
        has_passkeys = await self._passkeys.has_passkeys(account)
        if account.has_second_factor or has_passkeys:
            challenge = await self._sessions.create_challenge(account, master_key)
            options = None
            if has_passkeys:
                options = await self._passkeys.second_factor_options(
                    account, parse_challenge_token(challenge).id_hash
                )
            return TotpRequired(challenge, account.has_second_factor, options)
        await self.signed_in(account)
        token = await self._sessions.create(account, master_key)
        return SignedIn(token=token, account_id=account.id, address=account.address)

    async def requires_second_factor(self, account: AccountRecord) -> bool:
        return account.has_second_factor or await self._passkeys.has_passkeys(account)

    async def complete_totp(self, challenge: str, code: str, client: str) -> SignedIn:
        pending = await self._sessions.open_challenge(challenge)
        if pending is None:
            raise InvalidTotpError("this sign-in has expired; start again with your password")
        address = pending.account.address
        await self._throttle.check(address, client)
        if not await self._totp.check(pending.account, pending.master_key, code):
            await self._sessions.fail_challenge(pending)
            await self._throttle.failed(address, client)
            raise InvalidTotpError()
        await self._sessions.finish_challenge(pending)
        await self.signed_in(pending.account)
        token = await self._sessions.create(pending.account, pending.master_key)
        return SignedIn(token=token, account_id=pending.account.id, address=address)
