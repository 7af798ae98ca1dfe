"""The write-ahead log is checkpointed off the event loop and stays bounded."""

import asyncio
import datetime as dt
import os
from pathlib import Path

from storage import participants
from storage.checkpoints import CHECKPOINT_EVERY
from storage.database import Database

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
PAGE = 4096


async def test_the_log_is_reused_instead_of_growing(tmp_path: Path):
    path = tmp_path / "consultbot.db"
    commits = 5 * CHECKPOINT_EVERY
    db = await Database.connect(f"sqlite+aiosqlite:///{path}")
    try:
        await db.upgrade()
        for n in range(commits):
            async with db.transaction() as s:
                await participants.get_or_create(s, "web", f"{n:064x}", now=NOW)
            await asyncio.sleep(0)  # lets a finished checkpoint report back
        wal = await asyncio.to_thread(os.path.getsize, f"{path}-wal")
        async with db.transaction() as s:
            assert await participants.find(s, "web", f"{commits - 1:064x}") is not None
    finally:
        await db.close()
    # Every commit appends two pages or more: a log never started over would
    # hold them all; started over every CHECKPOINT_EVERY commits, a fraction.
    assert wal < commits * PAGE


async def test_closing_waits_for_a_running_checkpoint(tmp_path: Path):
    path = tmp_path / "consultbot.db"
    db = await Database.connect(f"sqlite+aiosqlite:///{path}")
    await db.upgrade()
    for n in range(CHECKPOINT_EVERY):
        async with db.transaction() as s:
            await participants.get_or_create(s, "web", f"{n:064x}", now=NOW)
    await db.close()  # a checkpoint was just started
    # Every connection closed, the worker's too: SQLite folded the log into the
    # file and removed it, leaving one file to back up.
    assert not await asyncio.to_thread(os.path.exists, f"{path}-wal")
    reopened = await Database.connect(f"sqlite+aiosqlite:///{path}")
    try:
        async with reopened.transaction() as s:
            assert await participants.find(s, "web", f"{0:064x}") is not None
    finally:
        await reopened.close()
