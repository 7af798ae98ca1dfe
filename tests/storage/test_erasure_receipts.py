import datetime as dt

from storage import erasure_receipts, retention
from storage.database import Database

NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)


async def test_a_receipt_is_found_once_recorded_and_twice_is_once(database: Database):
    async with database.transaction() as s:
        assert not await erasure_receipts.exists(s, "a" * 64)
        await erasure_receipts.record(s, "a" * 64, now=NOW)
        await erasure_receipts.record(s, "a" * 64, now=NOW)  # a concurrent retry: no error
    async with database.transaction() as s:
        assert await erasure_receipts.exists(s, "a" * 64)
        assert not await erasure_receipts.exists(s, "b" * 64)


async def test_receipts_are_purged_with_the_retention_period(database: Database):
    async with database.transaction() as s:
        await erasure_receipts.record(s, "old", now=NOW - dt.timedelta(days=400))
        await erasure_receipts.record(s, "new", now=NOW)
    async with database.transaction() as s:
        counts = await retention.purge(
            s, older_than=NOW - dt.timedelta(days=365), now=NOW, limit=10
        )
    assert counts.erasure_receipts == 1
    async with database.transaction() as s:
        assert not await erasure_receipts.exists(s, "old")
        assert await erasure_receipts.exists(s, "new")
