"""Deploying the first flows of an empty database, as processes starting at
once do: each sees none of them or all."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.deployment import BUNDLED_FLOWS, deploy_initial
from storage import consultations
from storage.database import Database

NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)
BUNDLED = {"lycees", "mobilite"}


async def test_processes_starting_at_once_each_find_every_first_flow(database_url: str):
    """The first flows are deployed once, by one of them, and neither is left
    seeing some of them only (its default consultation missing, it would
    refuse to start)."""
    processes = [await Database.connect(database_url) for _ in range(4)]
    try:
        await processes[0].upgrade()

        async def start(db: Database) -> tuple[int, set[str]]:
            deployed = await deploy_initial(db, [BUNDLED_FLOWS], now=NOW)
            async with db.read() as s:
                live = {v.consultation_id for v in await consultations.live_versions(s)}
            return len(deployed), live

        started = await asyncio.gather(*(start(db) for db in processes))
    finally:
        for db in processes:
            await db.close()
    assert sorted(count for count, _ in started) == [0, 0, 0, len(BUNDLED)]
    assert [live for _, live in started] == [BUNDLED] * len(processes)
