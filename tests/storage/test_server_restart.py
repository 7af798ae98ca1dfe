"""PostgreSQL restarted under a transaction (on a cluster of the test's own,
tests.throwaway_postgres): the transaction fails with DatabaseUnavailable,
which callers answer with "send again", never with another error; the
database remembers when, for readiness; the next transaction reconnects."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from storage import erasure_receipts, readiness
from storage.database import Database
from storage.errors import DatabaseUnavailable
from tests.throwaway_postgres import Cluster, throwaway_cluster

__all__ = ["throwaway_cluster"]  # the fixture, used by name


async def test_a_transaction_cut_by_a_restart_is_unavailable_and_the_next_reconnects(
    throwaway_cluster: Cluster,
):
    database = await Database.connect(throwaway_cluster.url)

    async def restarted_midway() -> None:
        async with database.transaction() as session:
            await readiness.probe(session, now=dt.datetime.now(dt.UTC))  # BEGIN with it
            assert not await erasure_receipts.exists(session, "a")  # on asyncpg directly
            await asyncio.to_thread(throwaway_cluster.restart)
            await erasure_receipts.exists(session, "b")

    try:
        await database.upgrade()
        assert database.unreachable_at is None
        with pytest.raises(DatabaseUnavailable, match="lost"):
            await restarted_midway()
        assert database.unreachable_at is not None
        async with database.transaction() as session:  # a new connection, by itself
            await erasure_receipts.record(session, "c", now=dt.datetime.now(dt.UTC))
        async with database.read() as session:
            assert await erasure_receipts.exists(session, "c")
    finally:
        await database.close()
