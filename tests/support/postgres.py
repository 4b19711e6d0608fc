"""A throwaway database on the local PostgreSQL server, or a skip reason when none runs."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

__all__ = ["POSTGRES_DSN", "postgres_database", "postgres_unavailable"]

POSTGRES_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


async def postgres_unavailable() -> str | None:
    """None when the server answers, else a sentence saying why these tests skip."""
    try:
        connection = await asyncpg.connect(POSTGRES_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"no PostgreSQL at 127.0.0.1:5432 ({type(exc).__name__}: {exc})"
    await connection.close()
    return None


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """Create a fresh database, yield its SQLAlchemy URL, drop it afterwards."""
    name = f"sealbox_test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(POSTGRES_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
