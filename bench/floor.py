"""What this machine allows: bench/load.py's residents against a server that
does nothing of consultbot's, only the HTTP exchange and, with --database-url,
the two PostgreSQL round trips a resident's answer takes (one read, one write
that is its own transaction, durable). It is the floor under bench/load.py's
figures: consultbot on the same machine cannot be faster than this.

    python bench/floor.py                                   # HTTP only
    python bench/floor.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/floor

The server is aiohttp with an asyncpg pool, one process, as `consultbot serve`
runs; the residents are bench/load.py's (REST, the demo's six messages each,
waiting for each reply). Prints messages/s, p50/p95/p99, and the CPU time per
message of the server, of PostgreSQL (when it runs on this machine) and of the
load generator itself: on a machine whose cores they share, the three together
bound the rate (two cores give 2,000 ms of CPU a second).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from aiohttp import web

# bench/, this script's folder
from load import OUTRO_START, drive, free_port, on_server, own_cpu_seconds, wait_ready
from postgres_cpu import LocalPostgres, proc_stat

_TABLE = "CREATE TABLE floor_messages (sender text, n int, text text, PRIMARY KEY (sender, n))"
_READ = "SELECT count(*) FROM floor_messages WHERE sender = $1"
_WRITE = "INSERT INTO floor_messages (sender, n, text) VALUES ($1, $2, $3)"
# Every reply is the outro bench/load.py looks for to count a resident as completed.
_REPLY = json.dumps([{"recipient_id": "r", "text": OUTRO_START}]).encode()


async def serve(port: int, database_url: str | None) -> None:
    """The floor server: answers every REST message at once, after one read and
    one write when it has a database."""
    pool: Any = None
    if database_url:
        import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
        from sqlalchemy.engine import make_url

        dsn = make_url(database_url).set(drivername="postgresql")
        pool = await asyncpg.create_pool(
            dsn.render_as_string(hide_password=False), min_size=10, max_size=10
        )
        await pool.execute(_TABLE)

    async def message(request: web.Request) -> web.Response:
        body = await request.json()
        if pool is not None:
            async with pool.acquire() as connection:
                await connection.fetchval(_READ, body["sender"])
                await connection.execute(
                    _WRITE, body["sender"], int(body["message_id"]), body["message"]
                )
        return web.Response(body=_REPLY, content_type="application/json")

    async def ready(request: web.Request) -> web.Response:
        return web.Response(text="ready")

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", message)
    app.router.add_get("/readyz", ready)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.Event().wait()  # until terminated


def _start(port: int, database_url: str | None) -> subprocess.Popen[bytes]:
    """The floor server in a process of its own, as `consultbot serve` runs."""
    command = [sys.executable, str(Path(__file__)), "--serve", str(port)]
    if database_url:
        command += ["--database-url", database_url]
    return subprocess.Popen(command)


def _cpu_seconds(pid: int) -> float:
    fields = proc_stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(args: argparse.Namespace) -> dict[str, object]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = _start(port, args.database_url)
    try:
        await wait_ready(url, process, "the floor server")
        postgres = await LocalPostgres.of(args.database_url) if args.database_url else None
        await drive(url, "rest", args.residents, args.warmup)
        server, own = _cpu_seconds(process.pid), own_cpu_seconds()
        database = postgres.cpu_seconds() if postgres is not None else 0.0
        result = await drive(url, "rest", args.residents, args.total)
        messages = int(str(result["messages"])) or 1
        result["server_cpu_ms_per_message"] = _per(_cpu_seconds(process.pid) - server, messages)
        result["load_generator_cpu_ms_per_message"] = _per(own_cpu_seconds() - own, messages)
        if postgres is not None:
            result["postgresql_cpu_ms_per_message"] = _per(
                postgres.cpu_seconds() - database, messages
            )
        return result
    finally:
        process.terminate()
        process.wait(timeout=30)


def _per(seconds: float, messages: int) -> float:
    return round(seconds * 1000 / messages, 3)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL URL; its database is created for the run and dropped after it",
    )
    parser.add_argument("--residents", type=int, default=50, help="residents at once")
    parser.add_argument("--total", type=int, default=2000, help="residents in all")
    parser.add_argument("--warmup", type=int, default=100, help="residents before measuring")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the server's own process
    args = parser.parse_args()
    if args.serve:
        await serve(args.serve, args.database_url)
        return 0
    if args.database_url:
        await on_server(args.database_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
        await on_server(args.database_url, "CREATE DATABASE {}")
    try:
        result = await measure(args)
    finally:
        if args.database_url:
            await on_server(args.database_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
    print(
        f"floor{' + PostgreSQL' if args.database_url else ''}: "
        f"{result['messages_per_s']} messages/s, p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, {result['errors']} errors; "
        f"CPU a message: server {result['server_cpu_ms_per_message']} ms"
        + (
            f", PostgreSQL {result['postgresql_cpu_ms_per_message']} ms"
            if "postgresql_cpu_ms_per_message" in result
            else ""
        )
        + f", load generator {result['load_generator_cpu_ms_per_message']} ms"
    )
    print(json.dumps(result))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
