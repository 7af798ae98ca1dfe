"""Rate limits shared through PostgreSQL: two processes (two connected
databases here) counting one key at once let through the limit, not twice it."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import text

from storage import rate_limits
from storage.database import Database

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

SLOW = dt.timedelta(minutes=1)  # one request a minute: nothing refills during a test


async def test_concurrent_checks_from_two_processes_let_through_the_burst_only(
    database: Database, database_url: str
):
    other = await Database.connect(database_url)
    try:
        checks = [
            rate_limits.take(db, "api:1", interval=SLOW, tolerance=SLOW * 4)
            for _ in range(15)
            for db in (database, other)
        ]
        decisions = await asyncio.gather(*checks)
    finally:
        await other.close()
    granted = [decision for decision in decisions if decision.granted]
    assert len(granted) == 5  # the burst: tolerance / interval + 1
    refused = [decision for decision in decisions if not decision.granted]
    assert all(55 <= decision.wait_s <= 60 for decision in refused)


async def test_keys_are_counted_apart(database: Database):
    for key in ("api:1", "api:2"):
        first = await rate_limits.take(database, key, interval=SLOW, tolerance=dt.timedelta())
        second = await rate_limits.take(database, key, interval=SLOW, tolerance=dt.timedelta())
        assert (first.granted, second.granted) == (True, False)


async def test_prune_forgets_full_allowances_only(database: Database):
    brief = dt.timedelta(microseconds=1)
    await rate_limits.take(database, "api:full-again", interval=brief, tolerance=brief)
    await rate_limits.take(database, "api:in-use", interval=SLOW, tolerance=SLOW)
    await rate_limits.prune(database)
    async with database.read() as session:
        keys = (await session.scalars(text("SELECT key FROM rate_limits"))).all()
    assert keys == ["api:in-use"]
    second = await rate_limits.take(database, "api:in-use", interval=SLOW, tolerance=SLOW)
    third = await rate_limits.take(database, "api:in-use", interval=SLOW, tolerance=SLOW)
    assert (second.granted, third.granted) == (True, False)  # the count in use is kept
