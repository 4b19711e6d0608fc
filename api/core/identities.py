"""Identities of an unlocked account: list, and batches of create/update/destroy (RFC 8621 6).

Name, replyTo, bcc and both signatures are sealed together under the MK identities
subkey, with the account and identity ids as associated data; the address stays in
clear (api/store/identity_models.py says why). A batch is one transaction at one
change-log position, like one JMAP Identity/set. Every account has a default identity
for its own address, made on first use and never deleted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import msgspec

from api.core.account_settings import open_settings
from api.core.errors import IdentityForbiddenError, IdentityNotFoundError, InvalidIdentityError
from api.core.identity_rules import Identity, check_identity, owned_address
from api.core.unlocked import UnlockedAccount
from api.mime.addresses import EmailAddress
from api.store.changes import CREATED, DESTROYED, UPDATED
from api.store.ids import AccountId, IdentityId, new_id
from api.store.records import ChangeSet, IdentityRecord
from api.store.unit_of_work import Store, Transaction
from crypto.aead import open_sealed, seal
from crypto.labels import bind
from crypto.master_key import SUBKEY_IDENTITIES, MasterKey

__all__ = ["IDENTITY_TYPE", "IdentityBatch", "IdentityService"]

IDENTITY_TYPE = "Identity"


class _Details(msgspec.Struct, frozen=True, kw_only=True):
    """The sealed part of an identity."""

    name: str
    reply_to: list[EmailAddress] | None
    bcc: list[EmailAddress] | None
    text_signature: str
    html_signature: str


def _aad(account_id: str, identity_id: str) -> bytes:
    return bind(b"sealbox/v1/identity", account_id, identity_id)


def _seal_details(master_key: MasterKey, account_id: str, identity: Identity) -> bytes:
    details = _Details(
        name=identity.name,
        reply_to=identity.reply_to,
        bcc=identity.bcc,
        text_signature=identity.text_signature,
        html_signature=identity.html_signature,
    )
    key = master_key.subkey(SUBKEY_IDENTITIES)
    return seal(key, msgspec.json.encode(details), _aad(account_id, identity.id))


def _open(master_key: MasterKey, record: IdentityRecord) -> Identity:
    key = master_key.subkey(SUBKEY_IDENTITIES)
    plaintext = open_sealed(key, record.details_sealed, _aad(record.account_id, record.id))
    details = msgspec.json.decode(plaintext, type=_Details)
    return Identity(
        id=record.id,
        email=record.email,
        may_delete=record.may_delete,
        **msgspec.structs.asdict(details),
    )


async def _display_name(tx: Transaction, unlocked: UnlockedAccount) -> str:
    account = await tx.accounts.get(unlocked.account_id)
    if account is None:
        return ""
    return open_settings(unlocked.master_key, account.id, account.settings_blob).display_name


class IdentityBatch:
    """Changes to one account's identities inside one transaction."""

    def __init__(
        self,
        tx: Transaction,
        unlocked: UnlockedAccount,
        identities: dict[str, Identity],
        addresses: tuple[str, tuple[str, ...]],
        *,
        old_state: int,
        modseq: int,
    ) -> None:
        self._tx = tx
        self._unlocked = unlocked
        self.identities = identities
        self._own, self._aliases = addresses
        self.changes: list[tuple[str, str]] = []
        self.old_state = old_state
        self._modseq = modseq

    @property
    def new_state(self) -> int:
        return self._modseq if self.changes else self.old_state

    async def create(self, email: str, *, may_delete: bool = True, **details: object) -> Identity:
        """Create an identity for one of the account's addresses (forbidden otherwise)."""
        address = owned_address(email, self._own, self._aliases)
        blank = Identity(id=new_id("i"), email=address, may_delete=may_delete)
        identity = msgspec.structs.replace(blank, **details)
        check_identity(identity)
        account_id = self._unlocked.account_id
        await self._tx.identities.add(
            IdentityRecord(
                id=IdentityId(identity.id),
                account_id=account_id,
                email=identity.email,
                details_sealed=_seal_details(self._unlocked.master_key, account_id, identity),
                may_delete=identity.may_delete,
            )
        )
        self.identities[identity.id] = identity
        self.changes.append((identity.id, CREATED))
        return identity

    async def update(self, identity_id: str, **changes: object) -> Identity:
        """Change name, reply_to, bcc or the signatures; the address is immutable."""
        current = self._existing(identity_id)
        email = changes.pop("email", current.email)
        if not isinstance(email, str) or email.lower() != current.email.lower():
            raise InvalidIdentityError("the address of an identity cannot change", ["email"])
        updated = msgspec.structs.replace(current, **changes)
        check_identity(updated)
        account_id = self._unlocked.account_id
        sealed = _seal_details(self._unlocked.master_key, account_id, updated)
        await self._tx.identities.update_details(account_id, identity_id, sealed)
        self.identities[identity_id] = updated
        self.changes.append((identity_id, UPDATED))
        return updated

    async def destroy(self, identity_id: str) -> None:
        identity = self._existing(identity_id)
        if not identity.may_delete:
            raise IdentityForbiddenError("the default identity of the account cannot be destroyed")
        await self._tx.identities.remove(self._unlocked.account_id, identity_id)
        del self.identities[identity_id]
        self.changes.append((identity_id, DESTROYED))

    def _existing(self, identity_id: str) -> Identity:
        identity = self.identities.get(identity_id)
        if identity is None:
            raise IdentityNotFoundError()
        return identity


class IdentityService:
    def __init__(self, store: Store) -> None:
        self._store = store

    @asynccontextmanager
    async def batch(self, unlocked: UnlockedAccount) -> AsyncIterator[IdentityBatch]:
        async with self._store.transaction() as tx:
            # The position first: it locks the account's counter (see MailboxService.batch).
            modseq = await tx.changes.next_modseq(unlocked.account_id)
            old_state = await tx.changes.state(unlocked.account_id, IDENTITY_TYPE)
            identities = await self._load(tx, unlocked)
            addresses = await tx.identities.addresses(unlocked.account_id)
            batch = IdentityBatch(
                tx, unlocked, identities, addresses, old_state=old_state, modseq=modseq
            )
            if not identities:
                # An account without identities gets its default one before anything else.
                await batch.create(
                    unlocked.address, may_delete=False, name=await _display_name(tx, unlocked)
                )
            yield batch
            await tx.changes.record(unlocked.account_id, modseq, IDENTITY_TYPE, batch.changes)

    async def _load(self, tx: Transaction, unlocked: UnlockedAccount) -> dict[str, Identity]:
        records = await tx.identities.list(unlocked.account_id)
        return {r.id: _open(unlocked.master_key, r) for r in records}

    async def snapshot(self, unlocked: UnlockedAccount) -> tuple[Sequence[Identity], int]:
        """Every identity and the Identity state, read in one transaction; an account
        without any gets its default identity first."""
        async with self._store.transaction() as tx:
            identities = list((await self._load(tx, unlocked)).values())
            state = await tx.changes.state(unlocked.account_id, IDENTITY_TYPE)
        if identities:
            return identities, state
        await self.create_default(unlocked)
        return await self.snapshot(unlocked)

    async def create_default(self, unlocked: UnlockedAccount) -> Identity:
        """Make sure the default identity exists (a batch creates it when none does)."""
        async with self.batch(unlocked) as batch:
            listed = list(batch.identities.values())
            return next((i for i in listed if not i.may_delete), listed[0])

    async def state(self, account_id: AccountId) -> int:
        async with self._store.transaction() as tx:
            return await tx.changes.state(account_id, IDENTITY_TYPE)

    async def changes(self, account_id: AccountId, since: int, max_changes: int) -> ChangeSet:
        async with self._store.transaction() as tx:
            return await tx.changes.changes_since(account_id, IDENTITY_TYPE, since, max_changes)
