"""A worker of `consultbot serve --workers 2` on PostgreSQL is SIGKILLed while
residents talk to it over REST: nothing the server acknowledged is lost, nothing
is stored twice, and the other worker carries on serving (the supervisor starts
another in the dead one's place meanwhile)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import aiohttp

from tests.e2e.acknowledged import Ledger, check_nothing_lost, kept, resident
from tests.e2e.test_workers import ONLY_POSTGRESQL, Serve, running, start_all, started, workers_of

__all__ = ["started"]  # the fixture, used by name

RESIDENTS = 20
SECRET_KEY = "workers-test-key-0123456789abcdef"  # tests.e2e.test_workers.environment's
KILL_AFTER = 30  # acknowledged messages (of 120): the kill lands mid-load


@ONLY_POSTGRESQL
async def test_a_worker_killed_under_load_loses_nothing_acknowledged(
    database_url: str, tmp_path: Path, started: list[Serve]
):
    served = Serve(database_url, "--workers", "2")
    started.append(served)
    await start_all(started, tmp_path)
    victim, survivor = workers_of(served.process)
    ledger = Ledger()
    names = [f"resident-{i}" for i in range(RESIDENTS)]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        crowd = asyncio.gather(
            *(resident(http, name, served.url, ledger, pause=0.02) for name in names)
        )
        while ledger.count < KILL_AFTER:
            assert not crowd.done(), "the residents finished before the kill"
            await asyncio.sleep(0.005)
        os.kill(victim, signal.SIGKILL)
        acknowledged_at_kill = ledger.count
        outros = await asyncio.wait_for(crowd, 120)
    assert all(outro.startswith("Merci") for outro in outros), outros
    assert acknowledged_at_kill < RESIDENTS * 6  # the kill came mid-load
    assert running(survivor)  # it carried on: never restarted
    assert survivor in workers_of(served.process)
    check_nothing_lost(ledger, await kept(database_url, SECRET_KEY, names))
    code, err = await served.stop()
    assert code == 0, err
    assert f"(pid {victim}) died" in err
