"""Schema migration: idempotent, in step with the models, and SQLite's connection pragmas."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from support.jmap_client import make_client
from support.messages import message

from api.services import Services
from api.store.database import MIGRATIONS_DIR
from api.store.ids import DomainId
from api.store.schema import metadata
from api.store.unit_of_work import Store


def _schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, metadata))


def _head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    assert head is not None
    return head


async def _current_revisions(store: Store) -> list[str]:
    async with store.database.engine.connect() as connection:
        rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
        return [str(row[0]) for row in rows]


async def test_migrating_twice_is_idempotent_and_keeps_data(services: Services) -> None:
    # The fixture migrated the empty database once; a second run must be a no-op.
    async with services.store.transaction() as tx:
        await tx.accounts.add_domain(DomainId("dkeep"), "example.org", 1)

    await services.store.migrate()

    assert await _current_revisions(services.store) == [_head_revision()]
    async with services.store.transaction() as tx:
        kept = await tx.accounts.get_domain("example.org")
    assert kept is not None
    assert kept.id == "dkeep"


async def test_processes_starting_together_all_migrate(database_url: str, tmp_path: Path) -> None:
    """Several nodes (or a CLI run beside `serve`) first started on one empty database."""
    url = database_url or f"sqlite+aiosqlite:///{tmp_path / 'sealbox.db'}"
    stores = [Store(url) for _ in range(3)]
    try:
        outcomes = await asyncio.wait_for(
            asyncio.gather(*(store.migrate() for store in stores), return_exceptions=True),
            timeout=30,
        )
        assert outcomes == [None, None, None]
        assert await _current_revisions(stores[0]) == [_head_revision()]
    finally:
        for store in stores:
            await store.close()


async def test_migrated_schema_matches_the_models(services: Services) -> None:
    await services.store.migrate()
    async with services.store.database.engine.connect() as connection:
        differences = await connection.run_sync(_schema_differences)
    assert differences == [], "models and migrations disagree; add a migration"


async def test_sqlite_connections_use_wal_and_enforce_foreign_keys(tmp_path: Path) -> None:
    store = Store(f"sqlite+aiosqlite:///{tmp_path / 'sealbox.db'}")
    try:
        await store.migrate()
        async with store.database.engine.connect() as connection:
            journal = await connection.scalar(text("PRAGMA journal_mode"))
            foreign_keys = await connection.scalar(text("PRAGMA foreign_keys"))
            secure_delete = await connection.scalar(text("PRAGMA secure_delete"))
    finally:
        await store.close()
    assert journal == "wal"
    assert foreign_keys == 1
    # Deleted rows (sessions, wrapped keys) are overwritten, not left in free pages.
    assert secure_delete == 1


def _migrate_to(connection: Connection, downgrade: str, upgrade: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.downgrade(config, downgrade)
    command.upgrade(config, upgrade)


async def test_0018_starts_mailboxes_at_their_accounts_position(services: Services) -> None:
    """A client may hold a HIGHESTMODSEQ from before the column: existing mailboxes count
    as expunged at the newest change, so its first QRESYNC hears of every gap."""
    client = await make_client(services)
    await client.import_email(message("before the upgrade"))
    position = await services.mailboxes.highest_modseq(client.account_id)
    async with services.store.database.engine.begin() as connection:
        await connection.run_sync(_migrate_to, "0017", "head")
        rows = (await connection.execute(text("SELECT expunged_modseq FROM mailboxes"))).all()
    assert position > 0 and rows and {row[0] for row in rows} == {position}
