"""Time to serve one page of 500 contributions from the pull API (target: <= 50 ms).

    python bench/api_page.py [--contributions 2000] [--rounds 30] [--database-url URL]

Starts the application on a fresh SQLite database in a temporary folder (or
the given one, which must be empty), stores
N completed contributions of the demo consultation (answers included), makes a
token, then GETs /api/v1/consultations/mobilite/contributions?limit=500 over
loopback HTTP, following the cursor, and prints the median and p95 per page,
and the median CPU time the process spent a page (the server's work and the
client's reading of the bytes, without its JSON parse): a figure a busy
machine changes less than wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from storage import (  # noqa: E402
    answers,
    api_tokens,
    consultations,
    contributions,
    participants,
    sessions,
)
from storage.database import Database  # noqa: E402

TOKEN = "cbt_bench-token-0123456789"
ANSWERS = (("mode", "train"), ("satisfaction", 4), ("postal_code", "45000"))


async def seed(url: str, count: int) -> None:
    database = await Database.connect(url)
    now = dt.datetime.now(dt.UTC)
    try:
        async with database.transaction() as s:
            live = await consultations.live_version(s, "mobilite")
            assert live is not None, "the demo consultation is deployed at first start"
            await api_tokens.create(s, "bench", TOKEN, ["contributions:read"], now=now)
            for n in range(count):
                participant = await participants.create(s, "web", f"{n:064x}", now=now)
                stored = await sessions.create(s, participant.id, live.id, {}, now=now)
                for question, value in ANSWERS:
                    await answers.record(
                        s, stored.id, question, value, question_text="?", language="fr", now=now
                    )
                await contributions.record(
                    s,
                    session_id=stored.id,
                    consultation_id="mobilite",
                    flow_version_id=live.id,
                    participant_id=participant.id,
                    channel="web",
                    language="fr",
                    partial=False,
                    pseudonym=f"p_{n:032x}",
                    now=now,
                    payload={},
                )
    finally:
        await database.close()


async def main(count: int, rounds: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        settings = Settings.model_validate(
            {
                "database_url": url,
                "secret_key": "bench-secret-key-0123456789abcdef",
                "delivery": {"in_serve": False},
                "api": {"rate_per_minute": 1_000_000, "burst": 1_000_000},
            }
        )
        runner = web.AppRunner(create_app(settings), access_log=None)
        await runner.setup()  # opens the service: migrates and deploys the demo
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        await seed(url, count)
        base = f"http://127.0.0.1:{port}/api/v1/consultations/mobilite/contributions"
        headers = {"Authorization": f"Bearer {TOKEN}"}
        timings = []
        cpu = []
        async with aiohttp.ClientSession(headers=headers) as http:
            cursor = ""
            for _ in range(rounds):
                started, started_cpu = time.perf_counter(), time.process_time()
                async with http.get(f"{base}?limit=500&after={cursor}") as response:
                    body = await response.read()
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                page = json.loads(body)
                assert len(page["data"]) == 500, page
                cursor = page["next_cursor"] if page["has_more"] else ""
        await runner.cleanup()
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"page of 500 contributions: median {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms over {rounds} pages; CPU of this process (server and client) "
        f"{statistics.median(cpu):.1f} ms a page"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--database-url", help="an empty database (default: SQLite, temporary)")
    args = parser.parse_args()
    asyncio.run(main(args.contributions, args.rounds, args.database_url))
