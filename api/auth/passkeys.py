"""Passkeys of an account: registration, listing, renaming (WebAuthn L3 7.1).

Registering needs a signed-in session, i.e. the unlocked MK: when the browser hands
over the credential's PRF output, MK is wrapped under it in the passkey's own slot, so
that passkey alone can later unlock the mail. The name is plaintext metadata, like an
app-password label.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webauthn.helpers import bytes_to_base64url

from api.auth.webauthn_ceremonies import Ceremony, RelyingParty, transports_of
from api.core.clock import now
from api.core.errors import InvalidPasskeyError, PasskeyExistsError, PasskeyNotFoundError
from api.core.unlocked import UnlockedAccount
from api.store.ids import AccountId, PasskeyId, new_id
from api.store.passkey_records import PasskeyRecord
from api.store.records import AccountRecord
from api.store.unit_of_work import Store
from crypto.master_key import MasterKey
from crypto.passkey_keys import passkey_slot_name, passkey_wrapping_key
from crypto.slots import wrap_master_key

__all__ = ["MAX_NAME_LENGTH", "PasskeyService", "prf_slot"]

MAX_NAME_LENGTH = 100
DAY = 86_400


def prf_slot(
    prf_output: bytes, master_key: MasterKey, *, account_id: AccountId, credential_id: bytes
) -> bytes:
    """MK sealed under HKDF(PRF output), bound to the account and the credential."""
    encoded = bytes_to_base64url(credential_id)
    key = passkey_wrapping_key(prf_output, account_id=account_id, credential_id=encoded)
    return wrap_master_key(key, master_key, account_id=account_id, slot=passkey_slot_name(encoded))


class PasskeyService:
    def __init__(self, store: Store, relying_party: RelyingParty) -> None:
        self._store = store
        self.relying_party = relying_party

    async def list(self, account_id: AccountId) -> Sequence[PasskeyRecord]:
        async with self._store.transaction() as tx:
            return await tx.passkeys.list(account_id)

    async def registration_options(self, unlocked: UnlockedAccount) -> dict[str, Any]:
        existing = await self.list(unlocked.account_id)
        return await self.relying_party.registration_options(
            unlocked.account_id, unlocked.address, existing
        )

    async def register(
        self,
        unlocked: UnlockedAccount,
        credential: dict[str, Any],
        name: str,
        prf_output: bytes | None,
    ) -> PasskeyRecord:
        ceremony = await self.relying_party.take(credential, "register")
        if ceremony.record.account_id != unlocked.account_id:
            raise PasskeyNotFoundError("this passkey request belongs to another sign-in")
        verified = self.relying_party.verify_registration(credential, ceremony)
        slot = None
        if prf_output is not None:
            slot = prf_slot(
                prf_output,
                unlocked.master_key,
                account_id=unlocked.account_id,
                credential_id=verified.credential_id,
            )
        record = PasskeyRecord(
            id=PasskeyId(new_id("k")),
            account_id=unlocked.account_id,
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports_of(credential),
            name=" ".join(name.split())[:MAX_NAME_LENGTH] or "passkey",
            slot=slot,
            created_at=now(),
            last_used_day=None,
        )
        async with self._store.transaction() as tx:
            if await tx.passkeys.exists(verified.credential_id):
                raise PasskeyExistsError()
            await tx.passkeys.add(record)
        return record

    async def remove_lost(self, account_id: AccountId, passkey_id: str) -> None:
        """The operator's removal (`sealbox user passkey remove`) for someone who lost the
        device: no proof is asked, as the operator may already turn TOTP off. The MK slot
        the passkey's PRF opened goes with its row; the mail stays sealed under the
        password."""
        async with self._store.transaction() as tx:
            if not await tx.passkeys.remove(account_id, PasskeyId(passkey_id)):
                raise PasskeyNotFoundError()

    async def rename(self, account_id: AccountId, passkey_id: str, name: str) -> None:
        label = " ".join(name.split())[:MAX_NAME_LENGTH] or "passkey"
        async with self._store.transaction() as tx:
            if not await tx.passkeys.rename(account_id, PasskeyId(passkey_id), label):
                raise PasskeyNotFoundError()

    async def check_assertion(
        self,
        credential: dict[str, Any],
        ceremony: Ceremony,
        passkey: PasskeyRecord,
        *,
        uv: bool,
        require_handle: bool = False,
    ) -> None:
        """Verify the assertion and move the sign counter, or raise InvalidPasskeyError.

        `require_handle`: the assertion must name the credential's account as its user
        handle (WebAuthn L3 7.2 step 6), as it must when no account was named first.
        """
        verified = self.relying_party.verify_assertion(
            credential, ceremony, passkey, require_user_verification=uv
        )
        response = credential.get("response")
        handle = response.get("userHandle") if isinstance(response, dict) else None
        if (handle or require_handle) and handle != bytes_to_base64url(passkey.account_id.encode()):
            raise InvalidPasskeyError()
        async with self._store.transaction() as tx:
            claimed = await tx.passkeys.claim_sign_count(
                passkey.id, passkey.sign_count, verified.new_sign_count, now() // DAY * DAY
            )
        if not claimed:
            raise InvalidPasskeyError("this passkey was used at the same moment elsewhere")

    async def has_passkeys(self, account: AccountRecord) -> bool:
        return bool(await self.list(account.id))

    async def second_factor_options(
        self, account: AccountRecord, login_challenge_hash: bytes
    ) -> dict[str, Any] | None:
        """Assertion options for a password sign-in waiting for its second factor."""
        passkeys = await self.list(account.id)
        if not passkeys:
            return None
        return await self.relying_party.authentication_options(
            "second-factor",
            account_id=account.id,
            login_challenge_hash=login_challenge_hash,
            allowed=passkeys,
        )
