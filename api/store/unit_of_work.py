"""The store's front door: one transaction with every repository bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from api.store.accounts import AccountRepository
from api.store.blobs.repository import BlobRepository
from api.store.changes import PENDING_DELIVERY, ChangeLogRepository
from api.store.credentials import CredentialRepository
from api.store.database import Database
from api.store.dkim_keys import DkimKeyRepository
from api.store.email_query import EmailQueryRepository
from api.store.emails import EmailRepository
from api.store.identities import IdentityRepository
from api.store.ids import AccountId
from api.store.imap_listing import ImapListingRepository
from api.store.import_progress import ImportProgressRepository
from api.store.mailboxes import MailboxRepository
from api.store.outbound import OutboundRepository
from api.store.passkeys import PasskeyRepository
from api.store.search_files import SearchFileRepository
from api.store.search_leases import SearchLeaseRepository
from api.store.sqlite_driver import deferred_writes
from api.store.state_relay import PostgresStateRelay, notify_in_transaction
from api.store.submissions import SubmissionRepository
from api.store.thread_keys import ThreadKeyRepository
from api.store.throttle import ThrottleRepository
from api.store.vacation import VacationRepository

__all__ = ["CommitListener", "DeliveryListener", "Store", "Transaction"]


class Transaction:
    """Repositories sharing one database transaction; it commits when the block ends."""

    def __init__(
        self,
        accounts: AccountRepository,
        credentials: CredentialRepository,
        throttle: ThrottleRepository,
        changes: ChangeLogRepository,
        mailboxes: MailboxRepository,
        blobs: BlobRepository,
        emails: EmailRepository,
        thread_keys: ThreadKeyRepository,
        identities: IdentityRepository,
        vacation: VacationRepository,
        submissions: SubmissionRepository,
        email_query: EmailQueryRepository,
        outbound: OutboundRepository,
        dkim: DkimKeyRepository,
        imports: ImportProgressRepository,
        search_files: SearchFileRepository,
        search_leases: SearchLeaseRepository,
        passkeys: PasskeyRepository,
        imap_listing: ImapListingRepository,
        *,
        session: AsyncSession,
    ) -> None:
        self._session = session
        self.accounts = accounts
        self.credentials = credentials
        self.throttle = throttle
        self.changes = changes
        self.mailboxes = mailboxes
        self.blobs = blobs
        self.emails = emails
        self.thread_keys = thread_keys
        self.identities = identities
        self.vacation = vacation
        self.submissions = submissions
        self.email_query = email_query
        self.outbound = outbound
        self.dkim = dkim
        self.imports = imports
        self.search_files = search_files
        self.search_leases = search_leases
        self.passkeys = passkeys
        self.imap_listing = imap_listing

    def deferred_writes(self) -> AbstractAsyncContextManager[None]:
        """Writes in the block that return nothing travel with the next statement that
        does, or with the commit (SQLite; api.store.sqlite_driver). For writes whose
        failure fails the whole transaction, and whose row counts nobody reads."""
        return deferred_writes(self._session)


# Called after a commit with {account id: data types whose state moved}.
CommitListener = Callable[[Mapping[AccountId, frozenset[str]]], None]
# Called after a commit that added pending (locked) email, with the accounts it went to.
DeliveryListener = Callable[[frozenset[AccountId]], None]


class Store:
    def __init__(self, url: str) -> None:
        self.database = Database(url)
        self._commit_listeners: list[CommitListener] = []
        self._delivery_listeners: list[DeliveryListener] = []
        self._relay: PostgresStateRelay | None = None

    def add_commit_listener(self, listener: CommitListener) -> None:
        """Hear about state changes once they are durable (push, IMAP IDLE)."""
        self._commit_listeners.append(listener)

    def add_delivery_listener(self, listener: DeliveryListener) -> None:
        """Hear, on every node, of committed pending deliveries (EmailIngest.catch_up)."""
        self._delivery_listeners.append(listener)

    def _deliver(self, touched: Mapping[AccountId, frozenset[str]]) -> None:
        delivered = frozenset(a for a, types in touched.items() if PENDING_DELIVERY in types)
        if delivered:
            for delivery_listener in self._delivery_listeners:
                delivery_listener(delivered)
        states = {
            account: types - {PENDING_DELIVERY}
            for account, types in touched.items()
            if types - {PENDING_DELIVERY}
        }
        if states:
            for listener in self._commit_listeners:
                listener(states)

    async def start_relay(self) -> None:
        """On PostgreSQL, hear every node's commits (this one's too) through LISTEN."""
        if self.database.is_sqlite or self._relay is not None:
            return
        relay = PostgresStateRelay(self.database.url, self._deliver)
        await relay.start()
        self._relay = relay

    @property
    def hears_deliveries(self) -> bool:
        """Whether every delivery's commit reaches the delivery listeners of this process.

        SQLite: one serving process, which makes every delivery itself. PostgreSQL: only
        through the relay, while its LISTEN connection is up.
        """
        if self.database.is_sqlite:
            return True
        return self._relay is not None and self._relay.listening

    @property
    def url(self) -> str:
        return self.database.url

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self.database.session() as session:
            changes = ChangeLogRepository(session)
            yield Transaction(
                AccountRepository(session),
                CredentialRepository(session),
                ThrottleRepository(session),
                changes,
                MailboxRepository(session),
                BlobRepository(session),
                EmailRepository(session),
                ThreadKeyRepository(session),
                IdentityRepository(session),
                VacationRepository(session),
                SubmissionRepository(session),
                EmailQueryRepository(session),
                OutboundRepository(session),
                DkimKeyRepository(session),
                ImportProgressRepository(session),
                SearchFileRepository(session),
                SearchLeaseRepository(session),
                PasskeyRepository(session),
                ImapListingRepository(session),
                session=session,
            )
            touched = {account: frozenset(types) for account, types in changes.touched.items()}
            if touched and self._relay is not None:
                # Delivered by PostgreSQL to every node, this one included, at commit.
                await notify_in_transaction(session, touched)
        # Only after the commit: a client told of a new state must be able to read it.
        if touched and self._relay is None:
            self._deliver(touched)

    async def migrate(self) -> None:
        await self.database.migrate()

    async def close(self) -> None:
        if self._relay is not None:
            await self._relay.stop()
            self._relay = None
        await self.database.close()
