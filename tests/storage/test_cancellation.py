"""A transaction cut short by its caller's time limit (asyncio.timeout, or the
task cancelled) ends in the caller's TimeoutError or CancelledError, as any
awaited work does: nothing written, the connection back in the pool with no
transaction left open on the server, the next transaction as usual."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import text

from storage import readiness
from storage.database import Database
from tests.conftest import admin_connection
from tests.storage.locks import probe_row_locked

NOW = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)


async def write_probe(database: Database) -> None:
    async with database.transaction() as session:
        await readiness.probe(session, now=NOW)


async def open_transactions(database: Database, database_url: str) -> list[str]:
    """The states of the server's connections to the database other than this
    query's: a pooled connection left inside a transaction shows here."""
    if database.backend != "postgresql":
        return []
    admin = await admin_connection(database_url)
    try:
        rows = await admin.fetch(
            "SELECT state FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state <> 'idle'"
        )
    finally:
        await admin.close()
    return [row["state"] for row in rows]


async def test_a_time_limit_ends_a_transaction_waiting_on_a_lock_as_a_time_out(
    database: Database, database_url: str
):
    async with probe_row_locked(database_url):
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await write_probe(database)
    assert await open_transactions(database, database_url) == []
    assert database.engine.pool.checkedout() == 0
    async with database.read() as session:  # rolled back: nothing written
        assert await session.scalar(text("SELECT count(*) FROM readiness_probe")) == 0
    await write_probe(database)  # the next transaction, as usual
    async with database.read() as session:
        assert await session.scalar(text("SELECT count(*) FROM readiness_probe")) == 1


async def test_a_cancelled_task_s_transaction_ends_in_its_cancellation(
    database: Database, database_url: str
):
    async with probe_row_locked(database_url):
        writing = asyncio.create_task(write_probe(database))
        await asyncio.sleep(0.3)  # waiting on the lock by now, or still before it
        writing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await writing
    assert await open_transactions(database, database_url) == []
    await write_probe(database)
