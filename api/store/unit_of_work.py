"""The store's front door: one transaction with every repository bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from api.store.accounts import AccountRepository
from api.store.changes import ChangeLogRepository
from api.store.credentials import CredentialRepository
from api.store.database import Database
from api.store.mailboxes import MailboxRepository
from api.store.throttle import ThrottleRepository

__all__ = ["Store", "Transaction"]


class Transaction:
    """Repositories sharing one database transaction; it commits when the block ends."""

    def __init__(
        self,
        accounts: AccountRepository,
        credentials: CredentialRepository,
        throttle: ThrottleRepository,
        changes: ChangeLogRepository,
        mailboxes: MailboxRepository,
    ) -> None:
        self.accounts = accounts
        self.credentials = credentials
        self.throttle = throttle
        self.changes = changes
        self.mailboxes = mailboxes


class Store:
    def __init__(self, url: str) -> None:
        self.database = Database(url)

    @property
    def url(self) -> str:
        return self.database.url

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self.database.session() as session:
            yield Transaction(
                AccountRepository(session),
                CredentialRepository(session),
                ThrottleRepository(session),
                ChangeLogRepository(session),
                MailboxRepository(session),
            )

    async def migrate(self) -> None:
        await self.database.migrate()

    async def close(self) -> None:
        await self.database.close()
