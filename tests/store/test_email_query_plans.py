"""Email/query's SQL on SQLite (RFC 8621 4.4): the common pages are index range scans."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from support.email_corpus import build_corpus
from support.jmap_client import make_client

from api.services import Services


async def _plans(services: Services, run: Any) -> list[str]:
    """The EXPLAIN QUERY PLAN lines of every Email/query statement that `run` executes."""
    captured: list[tuple[str, Any]] = []

    def grab(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "ORDER BY" in statement and not statement.startswith("EXPLAIN"):
            captured.append((statement, parameters))

    engine = services.store.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", grab)
    try:
        await run()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    lines = []
    async with services.store.database.engine.connect() as connection:
        for statement, parameters in captured:
            result = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            lines.extend(str(row[3]) for row in result)
    return lines


async def test_newest_page_of_a_mailbox_and_of_all_mail_are_index_scans(
    services: Services,
) -> None:
    if not services.store.database.is_sqlite:
        pytest.skip("query plans are checked on SQLite")
    client = await make_client(services)
    _, boxes = await build_corpus(client)

    async def inbox_page() -> None:
        await client.one("Email/query", filter={"inMailbox": boxes["inbox"]}, limit=50)

    async def all_mail_page() -> None:
        await client.one("Email/query", limit=50)

    inbox = await _plans(services, inbox_page)
    assert any("ix_email_mailboxes_received" in line for line in inbox), inbox
    assert not any("TEMP B-TREE" in line or line.startswith("SCAN") for line in inbox), inbox
    everything = await _plans(services, all_mail_page)
    assert any("ix_emails_account_received" in line for line in everything), everything
    # Equal receivedAt values are ordered by id in a small sort per tie, not a full sort.
    assert not any(line.startswith(("SCAN", "USE TEMP B-TREE FOR ORDER")) for line in everything)
