"""Mailboxes of an unlocked account: list, and batches of create/update/destroy (RFC 8621 2).

Names are sealed under the MK mailbox-names subkey with the mailbox id as associated
data, so the database shows the tree's shape but no name. A batch is one transaction at
one change-log position, like one JMAP Mailbox/set.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import msgspec

from api.core.change_types import EMAIL_TYPE, MAILBOX_TYPE, THREAD_TYPE
from api.core.email_batch import EmailBatch
from api.core.errors import (
    MailboxForbiddenError,
    MailboxHasChildError,
    MailboxHasEmailError,
    MailboxNotFoundError,
)
from api.core.mailbox_rules import Mailbox, check_mailbox, normalize_name
from api.core.unlocked import UnlockedAccount
from api.store.changes import CREATED, DESTROYED, UPDATED
from api.store.ids import AccountId, new_id
from api.store.imap_listing import ImapListingRecord
from api.store.records import ChangeSet, MailboxCounts, MailboxRecord
from api.store.unit_of_work import Store, Transaction
from crypto.aead import open_sealed, seal
from crypto.labels import bind
from crypto.master_key import SUBKEY_MAILBOX_NAMES, MasterKey

__all__ = ["DEFAULT_MAILBOXES", "MAILBOX_TYPE", "MailboxBatch", "MailboxService"]

# What a new account starts with: (name, role, sortOrder).
DEFAULT_MAILBOXES = (
    ("Inbox", "inbox", 1),
    ("Drafts", "drafts", 2),
    ("Sent", "sent", 3),
    ("Archive", "archive", 4),
    ("Junk", "junk", 5),
    ("Trash", "trash", 6),
)


def _aad(account_id: str, mailbox_id: str) -> bytes:
    return bind(b"sealbox/v1/mailbox-name", account_id, mailbox_id)


def _seal_name(master_key: MasterKey, account_id: str, mailbox: Mailbox) -> bytes:
    key = master_key.subkey(SUBKEY_MAILBOX_NAMES)
    return seal(key, mailbox.name.encode("utf-8"), _aad(account_id, mailbox.id))


def _open(master_key: MasterKey, record: MailboxRecord) -> Mailbox:
    key = master_key.subkey(SUBKEY_MAILBOX_NAMES)
    name = open_sealed(key, record.name_sealed, _aad(record.account_id, record.id))
    return Mailbox(
        id=record.id,
        name=name.decode("utf-8"),
        parent_id=record.parent_id,
        role=record.role,
        sort_order=record.sort_order,
        is_subscribed=record.is_subscribed,
        uid_validity=record.uid_validity,
        uid_next=record.uid_next,
    )


def _new_uid_validity() -> int:
    # Random, so a mailbox re-created under an old name never repeats a UIDVALIDITY.
    return secrets.randbelow(2**31 - 1) + 1


class MailboxBatch:
    """Changes to one account's mailboxes inside one transaction; each step is checked
    against the tree as the earlier steps left it."""

    def __init__(
        self,
        tx: Transaction,
        unlocked: UnlockedAccount,
        tree: dict[str, Mailbox],
        *,
        old_state: int,
        modseq: int,
    ) -> None:
        self._tx = tx
        self._unlocked = unlocked
        self.tree = tree
        self.changes: list[tuple[str, str]] = []
        # The Mailbox state before the batch, and the one it moves to if anything changes.
        self.old_state = old_state
        self._modseq = modseq
        # Set once a destroy removes mail: its Email and Thread changes share the position.
        self.emails: EmailBatch | None = None

    @property
    def new_state(self) -> int:
        return self._modseq if self.changes else self.old_state

    def _record(self, mailbox: Mailbox) -> MailboxRecord:
        account_id = self._unlocked.account_id
        return MailboxRecord(
            id=mailbox.id,
            account_id=account_id,
            parent_id=mailbox.parent_id,
            name_sealed=_seal_name(self._unlocked.master_key, account_id, mailbox),
            role=mailbox.role,
            sort_order=mailbox.sort_order,
            is_subscribed=mailbox.is_subscribed,
            uid_validity=mailbox.uid_validity,
            uid_next=mailbox.uid_next,
        )

    async def create(
        self,
        name: str,
        *,
        parent_id: str | None = None,
        role: str | None = None,
        sort_order: int = 0,
        is_subscribed: bool = True,
    ) -> Mailbox:
        mailbox = Mailbox(
            id=new_id("m"),
            name=normalize_name(name),
            parent_id=parent_id,
            role=role,
            sort_order=sort_order,
            is_subscribed=is_subscribed,
            uid_validity=_new_uid_validity(),
            uid_next=1,
        )
        check_mailbox(mailbox, self.tree)
        await self._tx.mailboxes.add(self._record(mailbox))
        self.tree[mailbox.id] = mailbox
        self.changes.append((mailbox.id, CREATED))
        return mailbox

    async def update(self, mailbox_id: str, **changes: object) -> Mailbox:
        """Change name, parent_id, role, sort_order or is_subscribed of one mailbox."""
        current = self._existing(mailbox_id)
        if "name" in changes:
            changes["name"] = normalize_name(str(changes["name"]))
        if current.role == "inbox" and changes.get("role", "inbox") != "inbox":
            raise MailboxForbiddenError("the inbox keeps its role")
        updated = msgspec.structs.replace(current, **changes)
        check_mailbox(updated, self.tree)
        record = self._record(updated)
        await self._tx.mailboxes.update(
            self._unlocked.account_id,
            mailbox_id,
            name_sealed=record.name_sealed,
            parent_id=record.parent_id,
            role=record.role,
            sort_order=record.sort_order,
            is_subscribed=record.is_subscribed,
        )
        self.tree[mailbox_id] = updated
        self.changes.append((mailbox_id, UPDATED))
        return updated

    async def destroy(self, mailbox_id: str, *, remove_emails: bool = False) -> None:
        """Destroy a childless mailbox other than the inbox (RFC 8621 2.5).

        A mailbox holding mail is refused unless `remove_emails`; then its emails leave
        it, and those left in no mailbox are destroyed into retention.
        """
        mailbox = self._existing(mailbox_id)
        if mailbox.role == "inbox":
            raise MailboxForbiddenError("the inbox cannot be destroyed")
        if any(other.parent_id == mailbox_id for other in self.tree.values()):
            raise MailboxHasChildError()
        if not await self._tx.emails.mailbox_is_empty(mailbox_id):
            if not remove_emails:
                raise MailboxHasEmailError()
            await (await self._email_batch()).empty_mailbox(mailbox_id)
        await self._tx.mailboxes.remove(self._unlocked.account_id, mailbox_id)
        del self.tree[mailbox_id]
        self.changes.append((mailbox_id, DESTROYED))

    async def _email_batch(self) -> EmailBatch:
        if self.emails is None:
            account_id = self._unlocked.account_id
            self.emails = EmailBatch(
                self._tx,
                account_id,
                modseq=self._modseq,
                old_state=await self._tx.changes.state(account_id, EMAIL_TYPE),
                mailbox_ids=self.tree,
                mailbox_changes=self.changes,
            )
        return self.emails

    def _existing(self, mailbox_id: str) -> Mailbox:
        mailbox = self.tree.get(mailbox_id)
        if mailbox is None:
            raise MailboxNotFoundError()
        return mailbox


class MailboxService:
    def __init__(self, store: Store) -> None:
        self._store = store

    @asynccontextmanager
    async def batch(self, unlocked: UnlockedAccount) -> AsyncIterator[MailboxBatch]:
        async with self._store.transaction() as tx:
            # Taking the position first locks the account's counter: batches of one
            # account run one after another and always see each other's results.
            modseq = await tx.changes.next_modseq(unlocked.account_id)
            old_state = await tx.changes.state(unlocked.account_id, MAILBOX_TYPE)
            tree = await self._load(tx, unlocked)
            batch = MailboxBatch(tx, unlocked, tree, old_state=old_state, modseq=modseq)
            yield batch
            if batch.emails is not None:
                await batch.emails.record((EMAIL_TYPE, THREAD_TYPE))
            await tx.changes.record(unlocked.account_id, modseq, MAILBOX_TYPE, batch.changes)

    async def _load(self, tx: Transaction, unlocked: UnlockedAccount) -> dict[str, Mailbox]:
        records = await tx.mailboxes.list(unlocked.account_id)
        return {r.id: _open(unlocked.master_key, r) for r in records}

    async def snapshot(self, unlocked: UnlockedAccount) -> tuple[Sequence[Mailbox], int]:
        """Every mailbox and the Mailbox state they belong to, read in one transaction.

        An account made before mailboxes existed gets its defaults on first use.
        """
        async with self._store.transaction() as tx:
            mailboxes = list((await self._load(tx, unlocked)).values())
            state = await tx.changes.state(unlocked.account_id, MAILBOX_TYPE)
        if mailboxes:
            return mailboxes, state
        await self.create_defaults(unlocked)
        return await self.snapshot(unlocked)

    async def list(self, unlocked: UnlockedAccount) -> Sequence[Mailbox]:
        return (await self.snapshot(unlocked))[0]

    async def highest_modseq(self, account_id: AccountId) -> int:
        async with self._store.transaction() as tx:
            return await tx.changes.position(account_id)

    async def imap_listing(
        self, account_id: AccountId, mailbox_id: str, since: int | None
    ) -> ImapListingRecord:
        """The mailbox as IMAP numbers it, whole or changed since a modseq (RFC 7162)."""
        async with self._store.transaction() as tx:
            # The position first: see ImapListingRepository.listing.
            highest = await tx.changes.position(account_id)
            listing = await tx.imap_listing.listing(account_id, mailbox_id, highest, since)
        if listing is None:
            raise MailboxNotFoundError()
        return listing

    async def counts(
        self, unlocked: UnlockedAccount, mailbox_ids: Sequence[str]
    ) -> dict[str, MailboxCounts]:
        """Email and thread counts (RFC 8621 2); an empty mailbox is absent from the map."""
        async with self._store.transaction() as tx:
            return await tx.emails.mailbox_counts(mailbox_ids)

    async def create_defaults(self, unlocked: UnlockedAccount) -> Sequence[Mailbox]:
        async with self.batch(unlocked) as batch:
            if batch.tree:
                return list(batch.tree.values())  # another request made them first
            for name, role, order in DEFAULT_MAILBOXES:
                await batch.create(name, role=role, sort_order=order)
            return list(batch.tree.values())

    async def state(self, account_id: AccountId) -> int:
        async with self._store.transaction() as tx:
            return await tx.changes.state(account_id, MAILBOX_TYPE)

    async def changes(self, account_id: AccountId, since: int, max_changes: int) -> ChangeSet:
        async with self._store.transaction() as tx:
            return await tx.changes.changes_since(account_id, MAILBOX_TYPE, since, max_changes)
