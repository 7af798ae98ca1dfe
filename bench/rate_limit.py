"""Cost of one rate-limit check shared through PostgreSQL, against the
in-memory one SQLite deployments keep.

    python bench/rate_limit.py --database-url postgresql+asyncpg://USER@HOST/DB \
        [--checks 5000] [--concurrency 1,20]

Migrates the (empty, or consultbot's) database, then runs `--checks` checks of
the pull API's limiter (bot.rate_limits) at each concurrency: one key per
concurrent client, as API tokens are, so checks queue on no one's row. Prints
the wall time per check (median and p99 per client, and the throughput) and the
CPU time this process spent per check; then the same for the in-memory limiter.
A check refused costs the same statement as one let through.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.rate_limits import LocalRateLimiter, RateLimiter, SharedRateLimiter  # noqa: E402
from storage.database import Database  # noqa: E402


async def run(limiter: RateLimiter, checks: int, concurrency: int) -> str:
    each = checks // concurrency
    latencies: list[float] = []

    async def client(number: int) -> None:
        for _ in range(each):
            started = time.perf_counter()
            await limiter.take(f"bench:{number}")
            latencies.append(time.perf_counter() - started)

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(number) for number in range(concurrency)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    done = each * concurrency
    latencies.sort()
    return (
        f"{done / wall:8.0f} checks/s  median {statistics.median(latencies) * 1e6:7.0f} µs  "
        f"p99 {latencies[int(len(latencies) * 0.99)] * 1e6:7.0f} µs  "
        f"CPU {cpu / done * 1e6:5.0f} µs/check"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--checks", type=int, default=5000)
    parser.add_argument("--concurrency", default="1,20")
    args = parser.parse_args()
    database = await Database.connect(args.database_url)
    try:
        await database.upgrade()
        for concurrency in (int(n) for n in args.concurrency.split(",")):
            # Generous limits: every check is let through and the row updated.
            shared = SharedRateLimiter(database, per_minute=10**9, burst=10**9)
            await run(shared, concurrency * 10, concurrency)  # warm: statements prepared
            figures = await run(shared, args.checks, concurrency)
            print(f"PostgreSQL, {concurrency:3} at once: ", figures)
            local = LocalRateLimiter(per_minute=10**9, burst=10**9)
            figures = await run(local, args.checks, concurrency)
            print(f"in memory,  {concurrency:3} at once: ", figures)
    finally:
        await database.close()


if __name__ == "__main__":
    asyncio.run(main())
