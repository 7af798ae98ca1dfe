import asyncio
import contextvars
import datetime as dt

import pytest
from sqlalchemy import text

from storage import openings
from storage.database import Database

DAY = dt.date(2026, 12, 6)


def _in_shards(count: int) -> list[str]:
    """Pseudonyms of residents counted in `count` different shards."""
    found: dict[int, str] = {}
    for number in range(1000):
        found.setdefault(openings.shard_of(f"{number:064x}"), f"{number:064x}")
        if len(found) == count:
            return list(found.values())
    raise AssertionError(f"fewer than {count} shards")


async def test_the_residents_who_opened_add_up_whatever_their_shard(database: Database):
    residents = _in_shards(3)
    async with database.transaction() as s:
        for user_hash in (*residents, residents[0]):
            await openings.count(s, "mobilite", "web", "gare", day=DAY, user_hash=user_hash)
        await openings.count(s, "mobilite", "telegram", None, day=DAY, user_hash=residents[0])
        await openings.count(s, "lycees", "web", "gare", day=DAY, user_hash=residents[0])
    async with database.transaction() as s:
        assert await openings.total(s, "mobilite") == 5
        assert await openings.total(s, "mobilite", channel="web", source="gare") == 4
        assert await openings.total(s, "mobilite", since=DAY + dt.timedelta(days=1)) == 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_newcomers_counted_at_once_do_not_wait_for_each_other(database: Database):
    first, second = _in_shards(2)
    async with database.transaction() as s:
        await openings.count(s, "mobilite", "web", None, day=DAY, user_hash=first)
        await s.execute(text("SELECT 1"))  # the count is sent: its row stays locked till COMMIT

        async def another_newcomer() -> None:
            async with database.transaction() as other:
                await openings.count(other, "mobilite", "web", None, day=DAY, user_hash=second)

        # As another process would: outside this transaction.
        counted = asyncio.create_task(another_newcomer(), context=contextvars.Context())
        while not counted.done():
            assert await _waiting_for_a_lock(database) == 0, "the second newcomer waited"
            await asyncio.sleep(0.001)  # poll a condition; the outcome does not depend on it
        await counted
    async with database.transaction() as s:
        assert await openings.total(s, "mobilite") == 2


async def _waiting_for_a_lock(database: Database) -> int:
    async with database.engine.connect() as connection:
        found = await connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    return int(found or 0)
