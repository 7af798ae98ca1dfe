"""SQLite on the event loop's thread: waiting for another process's write lock
must not stop the loop."""

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

from storage import participants
from storage.database import Database

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
HASH = "9e" * 32


async def test_waiting_for_another_process_lock_does_not_block_other_work(tmp_path: Path):
    path = tmp_path / "shared.db"
    db = await Database.connect(f"sqlite+aiosqlite:///{path}", sqlite_busy_timeout=10)
    try:
        await db.upgrade()
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process is writing

        async def write() -> None:
            async with db.transaction() as s:
                await participants.get_or_create(s, "web", HASH, now=NOW)

        writer = asyncio.create_task(write())
        for _ in range(5):  # the loop keeps running other work meanwhile
            await asyncio.sleep(0.01)
        assert not writer.done()
        other.execute("COMMIT")
        other.close()
        await writer
        async with db.transaction() as s:
            assert await participants.find(s, "web", HASH) is not None
    finally:
        await db.close()
