"""Two `consultbot deliver` processes on one PostgreSQL share the work and
never send the same event to an endpoint twice at once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from storage.database import Database
from tests.bot.cli.running import ROOT
from tests.bot.delivery.receiver import Receiver
from tests.bot.delivery.test_deliverer import KEY, add_endpoint, enqueue, until

EVENTS = 1000


async def test_two_deliverers_deliver_a_thousand_events_each_once(
    database: Database, database_url: str, tmp_path: Path
):
    if database.backend != "postgresql":
        pytest.skip("several processes share one database on PostgreSQL")
    await enqueue(database, EVENTS)
    receivers = [Receiver(secret=""), Receiver(secret="")]
    for n, receiver in enumerate(receivers):
        _, receiver.secret = await add_endpoint(database, f"{receiver.url}/engine{n}")
    for r in receivers:
        await r.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTBOT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        CONSULTBOT_DATABASE_URL=database_url,
        CONSULTBOT_SECRET_KEY=KEY.decode(),
    )
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "deliver",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        await until(lambda: all(len(r.unique()) == EVENTS for r in receivers), "every delivery")
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        outcomes = [await asyncio.wait_for(p.communicate(), 60) for p in processes]
        for r in receivers:
            await r.stop()
    for process, (_, err) in zip(processes, outcomes, strict=True):
        assert process.returncode == 0, err.decode()
        assert "Traceback" not in err.decode()
    for r in receivers:
        assert r.forged == 0
        assert r.overlaps == 0  # never the same event twice at once
        assert len(r.unique()) == EVENTS  # each once after dedupe
        versions = [r.bodies[webhook_id]["data"]["version"] for _, webhook_id in r.raw]
        assert versions == sorted(versions)  # in order
