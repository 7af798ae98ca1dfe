"""SQLite transactions queued together share one commit, yet each one still
commits or fails on its own, and none returns before its commit."""

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import participants
from storage.database import Database
from storage.errors import StorageError

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _hash(n: int) -> str:
    return f"{n:064x}"


@pytest.fixture
async def sqlite_db(tmp_path: Path):
    db = await Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'group.db'}")
    await db.upgrade()
    yield db
    await db.close()


def _stored_elsewhere(path: Path) -> set[str]:
    """What another process would read: only what was committed."""
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute("SELECT user_hash FROM participants")}
    finally:
        connection.close()


async def test_each_transaction_is_committed_when_it_returns(sqlite_db: Database, tmp_path):
    async def write(n: int) -> set[str]:
        async with sqlite_db.transaction() as s:
            await participants.create(s, "web", _hash(n), now=NOW)
        return await asyncio.to_thread(_stored_elsewhere, tmp_path / "group.db")

    seen = await asyncio.gather(*(write(n) for n in range(30)))
    for n, stored in enumerate(seen):
        assert _hash(n) in stored


async def test_one_failing_transaction_leaves_the_others_of_its_batch(sqlite_db: Database):
    async def write(n: int) -> None:
        async with sqlite_db.transaction() as s:
            await participants.create(s, "web", _hash(n), now=NOW)
            if n == 7:
                raise RuntimeError("a bug half-way through")

    results = await asyncio.gather(*(write(n) for n in range(20)), return_exceptions=True)
    assert [type(r) for r in results].count(RuntimeError) == 1
    async with sqlite_db.transaction() as s:
        found = {n for n in range(20) if await participants.find(s, "web", _hash(n))}
    assert found == set(range(20)) - {7}


async def test_a_failed_commit_fails_every_transaction_of_the_batch(sqlite_db: Database):
    async def write(n: int) -> None:
        async with sqlite_db.transaction() as s:
            await participants.create(s, "web", _hash(n), now=NOW)
            if n == 3:
                # A dangling reference that SQLite checks only at COMMIT.
                await s.execute(text("PRAGMA defer_foreign_keys = ON"))
                await s.execute(
                    text(
                        "INSERT INTO sessions (participant_id, flow_version_id, state, "
                        "status, human_requested, created_at, updated_at, last_activity_at) "
                        "VALUES (999, 999, '{}', 'active', 0, '2026-06-01', '2026-06-01', "
                        "'2026-06-01')"
                    )
                )

    results = await asyncio.gather(*(write(n) for n in range(10)), return_exceptions=True)
    assert all(isinstance(result, StorageError) for result in results[3:])
    async with sqlite_db.transaction() as s:
        kept = {n for n in range(10) if await participants.find(s, "web", _hash(n))}
    # Those that returned normally had committed in an earlier batch.
    assert kept == {n for n, result in enumerate(results) if result is None}
    assert 3 not in kept


async def test_a_caller_that_gives_up_does_not_stop_the_others(sqlite_db: Database):
    async def write(n: int) -> None:
        async with sqlite_db.transaction() as s:
            await participants.create(s, "web", _hash(n), now=NOW)

    tasks = [asyncio.create_task(write(n)) for n in range(10)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    tasks[0].cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(result is None for result in results[1:])
    async with sqlite_db.transaction() as s:
        for n in range(1, 10):
            assert await participants.find(s, "web", _hash(n)) is not None


async def test_migrating_while_transactions_run_does_not_deadlock(sqlite_db: Database):
    async def write(n: int) -> None:
        async with sqlite_db.transaction() as s:
            await participants.create(s, "web", _hash(n), now=NOW)

    writes = [write(n) for n in range(20)]
    await asyncio.wait_for(asyncio.gather(*writes[:10], sqlite_db.upgrade(), *writes[10:]), 10)
