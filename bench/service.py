"""Throughput of the conversation service alone (no HTTP): N residents at once
go through the demo consultation, each waiting for its replies before the next
message. Prints messages/s, the CPU time per message (the figure a loaded
machine changes least) and latency percentiles; `--json` for one JSON line.

    python bench/service.py --residents 50 --rounds 4 [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bot.client import Client
from bot.config import load_settings
from bot.deployment import DEMO_SCRIPT
from bot.simulation import read_script
from bot.startup import open_service

DEMO = read_script(DEMO_SCRIPT)


async def run(args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        settings = load_settings(
            environ={"CONSULTBOT_DATABASE_URL": url, "CONSULTBOT_SECRET_KEY": "b" * 32}
        )
        service = await open_service(settings)
        client = Client(service, now=lambda: dt.datetime.now(dt.UTC))
        latencies: list[float] = []
        completed = 0

        async def resident(name: str) -> None:
            nonlocal completed
            replies = []
            for text in DEMO:
                start = time.perf_counter()
                replies = await client.send(name, text)
                latencies.append(time.perf_counter() - start)
            completed += replies[-1].text.startswith("Merci")

        started = time.perf_counter()
        cpu_started = time.process_time()  # the server's work, whatever else runs
        # Names no earlier run used: on a --database-url kept between runs, each
        # resident still starts the consultation afresh.
        tag = uuid.uuid4().hex[:8]
        for round_ in range(args.rounds):
            await asyncio.gather(*(resident(f"{tag}-r{round_}-{i}") for i in range(args.residents)))
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        await service.close()
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "messages": len(latencies),
        "messages_per_s": round(len(latencies) / elapsed, 1),
        "cpu_ms_per_message": round(cpu / len(latencies) * 1000, 3),
        "p50_ms": round(quantiles[49] * 1000, 2),
        "p95_ms": round(quantiles[94] * 1000, 2),
        "p99_ms": round(quantiles[98] * 1000, 2),
        "completed": completed,
        "residents": args.residents * args.rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument(
        "--database-url", help="a migrated or empty database (default: SQLite, temporary)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>15}: {value}")


if __name__ == "__main__":
    main()
