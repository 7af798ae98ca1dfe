"""Load generator: N simulated residents at once take the demo consultation over
the REST channel or the web chat WebSocket, each waiting for the reply before the
next message as a person would.

    python bench/load.py                          # starts its own `consultbot serve`
    python bench/load.py --channel ws --residents 50 --total 2000
    python bench/load.py --url http://127.0.0.1:8080 --channel rest
    python bench/load.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench
    python bench/load.py --database-url ... --workers 2
    python bench/load.py --channel rest --moderator   # while a moderator pages the queue
    python bench/load.py --channel rest --moderator --moderator-pages-per-s 5   # at a pace

Without --url it starts `consultbot serve` on a free port with a fresh SQLite
database in a temporary folder (or, with --database-url, a fresh PostgreSQL
database of that name, created for the run and dropped after it, and analysed
after the warm-up unless --no-analyze: see `analyze`), measures the
time from launch to /readyz, and after the run reports the server's resident
memory, then stops it with SIGTERM.
Prints messages/s, p50/p95/p99 latency per message (and p50/p99 for each message
of the script), completed residents and errors, the server's CPU time per
message (all its processes) and, for a PostgreSQL server on this machine,
PostgreSQL's (all its processes, those that ended during the run included), and
the load generator's own (a --moderator's pages included), then the same as one
JSON line. With
--moderator, a moderator signed in to the console pages through the review
queue (50 answers a page, next page at once, back to the first at the end) for
the whole measured run; their pages/s and p50/p95 are printed too (to compare
with a run without: the residents' figures should hold).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import itertools
import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from postgres_cpu import LocalPostgres, connect, proc_stat  # bench/, this script's folder

from bot.deployment import DEMO_SCRIPT
from bot.simulation import read_script

ROOT = Path(__file__).resolve().parents[1]
DEMO = tuple(read_script(DEMO_SCRIPT))
OUTRO_START = "Merci"  # the French outro of flows/examples/mobilite.yml
SECRET_KEY = "bench-only-key-not-a-secret-0123456789"
MODERATOR = ("bench-moderator@region.fr", "bench moderator password, long enough")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    # By the message's place in the demo script: where a tail comes from.
    by_step: dict[int, list[float]] = field(default_factory=dict)
    completed: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def took(self, step: int, seconds: float) -> None:
        self.latencies.append(seconds)
        self.by_step.setdefault(step, []).append(seconds)


async def rest_resident(session: aiohttp.ClientSession, url: str, tally: Tally) -> None:
    sender = uuid.uuid4().hex
    last = ""
    for n, text in enumerate(DEMO):
        body = {"sender": sender, "message": text, "message_id": str(n)}
        started = time.perf_counter()
        try:
            async with session.post(url + "/webhooks/rest/webhook", json=body) as response:
                replies = await response.json()
                if response.status != 200:
                    tally.error(f"http {response.status}")
                    return
        except (aiohttp.ClientError, TimeoutError) as error:
            tally.error(type(error).__name__)
            return
        tally.took(n, time.perf_counter() - started)
        last = replies[-1]["text"] if replies else ""
    if last.startswith(OUTRO_START):
        tally.completed += 1
    else:
        tally.error("not completed")


async def ws_resident(session: aiohttp.ClientSession, url: str, tally: Tally) -> None:
    try:
        async with session.ws_connect(url + "/ws") as ws:
            await ws.send_str('{"v":1,"type":"hello","token":null}')
            welcome = await ws.receive_json(timeout=10)
            if welcome.get("type") != "welcome":
                tally.error("no welcome")
                return
            last = ""
            for n, text in enumerate(DEMO):
                frame = {"v": 1, "type": "message", "id": f"m{n}", "text": text}
                started = time.perf_counter()
                await ws.send_str(json.dumps(frame, ensure_ascii=False))
                while True:
                    data = await ws.receive_json(timeout=30)
                    if data["type"] == "reply":
                        break
                    if data["type"] == "error":
                        tally.error(data["code"])
                        return
                tally.took(n, time.perf_counter() - started)
                last = data["messages"][-1]["text"] if data["messages"] else ""
    except (aiohttp.ClientError, TimeoutError, TypeError, ValueError) as error:
        tally.error(type(error).__name__)
        return
    if last.startswith(OUTRO_START):
        tally.completed += 1
    else:
        tally.error("not completed")


async def drive(url: str, channel: str, residents: int, total: int) -> dict[str, object]:
    tally = Tally()
    numbers = itertools.count()
    resident = rest_resident if channel == "rest" else ws_resident
    connector = aiohttp.TCPConnector(limit=residents * 2)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while next(numbers) < total:
                await resident(session, url, tally)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(residents)))
        elapsed = time.perf_counter() - started
    return summary(channel, residents, total, tally, elapsed)


def percentile(ms: list[float], p: float) -> float:
    """The `p`th percentile of the sorted `ms`."""
    if not ms:
        return 0.0
    return round(ms[min(len(ms) - 1, int(p / 100 * len(ms)))], 2)


def summary(
    channel: str, residents: int, total: int, tally: Tally, elapsed: float
) -> dict[str, object]:
    ms = sorted(latency * 1000 for latency in tally.latencies)
    by_step = [
        sorted(seconds * 1000 for seconds in tally.by_step[n]) for n in sorted(tally.by_step)
    ]

    return {
        "channel": channel,
        "concurrent_residents": residents,
        "residents": total,
        "messages": len(ms),
        "seconds": round(elapsed, 2),
        "messages_per_s": round(len(ms) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else 0.0,
        # Each message of the script (the first is a newcomer's, the last completes).
        "p50_ms_by_message": [percentile(step, 50) for step in by_step],
        "p99_ms_by_message": [percentile(step, 99) for step in by_step],
        "completed_residents": tally.completed,
        "errors": tally.errors,
        "error_kinds": tally.error_kinds,
    }


class Server:
    """`consultbot serve` in a subprocess on a fresh database."""

    def __init__(self, folder: Path, database_url: str, workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            {
                "CONSULTBOT_DATABASE_URL": database_url,
                "CONSULTBOT_SECRET_KEY": SECRET_KEY,
                "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
            }
        )
        self.launched = time.perf_counter()
        command = [sys.executable, "-m", "bot", "serve", "--port", str(self.port)]
        if workers > 1:
            command += ["--workers", str(workers)]
        self.process = subprocess.Popen(
            command,
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(folder / "server.log", "wb"),  # noqa: SIM115 - kept for the run
        )
        self.ready_s = 0.0

    async def wait_ready(self) -> None:
        await wait_ready(self.url, self.process, "consultbot serve")
        self.ready_s = time.perf_counter() - self.launched

    def rss_mb(self) -> float:
        kb = 0
        for pid in self.pids():
            status = Path(f"/proc/{pid}/status").read_text()
            kb += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
            )
        return round(kb / 1024, 1)

    def pids(self) -> list[int]:
        """The server's process and its workers (children), if any."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [self.process.pid, *(int(pid) for pid in children.read_text().split())]

    def cpu_seconds(self) -> float:
        """User and system CPU time used so far by the server's processes."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            fields = proc_stat(pid)
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


async def wait_ready(url: str, process: subprocess.Popen[bytes], name: str) -> None:
    """Until the server `process` answers 200 on /readyz; SystemExit if it exits."""
    async with aiohttp.ClientSession() as session:
        while process.poll() is None:
            try:
                async with session.get(url + "/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.01)
    raise SystemExit(f"{name} exited with {process.returncode}")


async def add_moderator(database_url: str) -> None:
    """The console account of --moderator, in the server's database."""
    from bot.config import Settings
    from bot.console.accounts import Accounts
    from bot.console.totp import TotpCipher
    from bot.keys import Keys
    from storage.database import Database
    from storage.models import ConsoleRole

    settings = Settings.model_validate({"database_url": database_url, "secret_key": SECRET_KEY})
    db = await Database.connect(database_url)
    try:
        accounts = Accounts(db, settings, TotpCipher(Keys.from_settings(settings)))
        link = await accounts.add(MODERATOR[0], ConsoleRole.MODERATOR, by="bench")
        await accounts.set_password(link.url.rsplit("/", 1)[1], MODERATOR[1])
    finally:
        await db.close()


async def moderate(url: str, stop: asyncio.Event, pace: float) -> dict[str, object]:
    """Sign in, then page through the review queue until `stop` is set: a page
    as soon as the last one came (`pace` 0), else `pace` pages a second."""
    token = re.compile(r'name="csrf" value="([^"]+)"')
    following = re.compile(r'href="([^"]+)" rel="next"')
    pages: list[float] = []
    errors = 0
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        async with session.get(url + "/console/login") as response:
            found = token.search(await response.text())
        assert found is not None, "no sign-in form"
        form = {"csrf": found.group(1), "email": MODERATOR[0], "password": MODERATOR[1]}
        async with session.post(url + "/console/login", data=form) as response:
            if response.status != 200 or response.url.path == "/console/login":
                raise SystemExit("the bench moderator could not sign in")
        path = "/console/queue"
        while not stop.is_set():
            started = time.perf_counter()
            async with session.get(url + path) as response:
                page = await response.text()
                if response.status != 200 or "Review queue" not in page:
                    errors += 1
            pages.append(time.perf_counter() - started)
            link = following.search(page)
            path = html.unescape(link.group(1)) if link else "/console/queue"
            if pace > 0:
                await asyncio.sleep(max(0.0, 1 / pace - (time.perf_counter() - started)))
    ms = sorted(p * 1000 for p in pages)
    return {
        "queue_pages": len(ms),
        "queue_p50_ms": round(ms[len(ms) // 2], 1) if ms else 0.0,
        "queue_p95_ms": round(ms[int(len(ms) * 0.95)], 1) if ms else 0.0,
        "queue_errors": errors,
    }


def own_cpu_seconds() -> float:
    """User and system CPU time used so far by this process, the load generator:
    on a machine whose cores it shares with the server, its cost bounds theirs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--channel", choices=("rest", "ws", "both"), default="both")
    parser.add_argument("--residents", type=int, default=50, help="residents at once")
    parser.add_argument("--total", type=int, default=2000, help="residents in all, per channel")
    parser.add_argument("--warmup", type=int, default=100, help="residents before measuring")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL URL whose database is created for the run and dropped after it "
        "(default: SQLite in a temporary folder)",
    )
    parser.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL)")
    parser.add_argument(
        "--no-analyze",
        dest="analyze",
        action="store_false",
        help="PostgreSQL: measure without ANALYZE after the warm-up (a database in its "
        "first seconds, its statements planned for empty tables)",
    )
    parser.add_argument(
        "--moderator",
        action="store_true",
        help="a moderator pages through the review queue during the measured run",
    )
    parser.add_argument(
        "--moderator-pages-per-s",
        type=float,
        default=0.0,
        help="the moderator's pace (default 0: a page as soon as the last one came; "
        "people read a page for seconds)",
    )
    args = parser.parse_args()
    if args.moderator and args.url:
        parser.error("--moderator needs the server this script starts (no --url)")
    channels = ("rest", "ws") if args.channel == "both" else (args.channel,)
    with tempfile.TemporaryDirectory(prefix="consultbot-bench-") as folder:
        database_url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        if args.database_url:
            database_url = args.database_url
            await on_server(database_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
            await on_server(database_url, "CREATE DATABASE {}")
        try:
            results = await _run(args, channels, folder, database_url)
        finally:
            if args.database_url:
                await on_server(database_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
        print(json.dumps(results if len(results) > 1 else results[0]))
    return 0 if all(r["errors"] == 0 for r in results) else 1


async def _run(
    args: argparse.Namespace, channels: tuple[str, ...], folder: str, database_url: str
) -> list[dict[str, object]]:
    server = None if args.url else Server(Path(folder), database_url, args.workers)
    url = args.url or ""
    if server is not None:
        await server.wait_ready()
        url = server.url
        print(f"server ready in {server.ready_s:.2f} s after launch")
        if args.moderator:
            await add_moderator(database_url)
    postgres = await LocalPostgres.of(database_url) if args.database_url else None
    results = []
    for channel in channels:
        if args.warmup:
            await drive(url, channel, args.residents, args.warmup)
        if postgres is not None and args.analyze:
            await analyze(database_url)
        cpu = server.cpu_seconds() if server is not None else 0.0
        own_cpu = own_cpu_seconds()
        database_cpu = postgres.cpu_seconds() if postgres is not None else 0.0
        stop = asyncio.Event()
        moderator = (
            asyncio.create_task(moderate(url, stop, args.moderator_pages_per_s))
            if args.moderator
            else None
        )
        result = await drive(url, channel, args.residents, args.total)
        stop.set()
        messages = int(str(result["messages"])) or 1
        result["load_generator_cpu_ms_per_message"] = round(
            (own_cpu_seconds() - own_cpu) * 1000 / messages, 3
        )
        if moderator is not None:
            result.update(await moderator)
        if server is not None:
            result["server_cpu_ms_per_message"] = round(
                (server.cpu_seconds() - cpu) * 1000 / messages, 3
            )
            if postgres is not None:
                result["postgresql_cpu_ms_per_message"] = round(
                    (postgres.cpu_seconds() - database_cpu) * 1000 / messages, 3
                )
            result["server_rss_mb"] = server.rss_mb()
            result["server_ready_s"] = round(server.ready_s, 2)
        results.append(result)
        print(
            f"{channel:>4}: {result['messages_per_s']} messages/s, "
            f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
            f"p99 {result['p99_ms']} ms; {result['completed_residents']}/{args.total} "
            f"residents completed, {result['errors']} errors"
            + (
                f"; moderator: {result['queue_pages']} queue pages, "
                f"p50 {result['queue_p50_ms']} ms, p95 {result['queue_p95_ms']} ms, "
                f"{result['queue_errors']} errors"
                if args.moderator
                else ""
            )
            + (
                f", server CPU {result['server_cpu_ms_per_message']} ms/message, "
                f"RSS {result['server_rss_mb']} MB"
                if server
                else ""
            )
            + (
                f", PostgreSQL CPU {result['postgresql_cpu_ms_per_message']} ms/message"
                if "postgresql_cpu_ms_per_message" in result
                else ""
            )
            + f", load generator CPU {result['load_generator_cpu_ms_per_message']} ms/message"
        )
        print(
            f"{channel:>4}: by message of the script, p50 {result['p50_ms_by_message']} ms, "
            f"p99 {result['p99_ms_by_message']} ms"
        )
    if server is not None:
        code = server.stop()
        print(f"server stopped by SIGTERM, exit code {code}")
        for result in results:
            result["server_exit_code"] = code
    return results


async def analyze(database_url: str) -> None:
    """ANALYZE the run's database, as autovacuum does within a minute of a
    database growing: statements prepared on a fresh database are planned for
    empty tables (a sequential scan of a table of one page is the cheapest
    plan), and kept until the tables' statistics change. Measured without it,
    the run is a database's first seconds: on 2026-12-06, PostgreSQL's CPU per
    message was 1.19-1.23 ms without, 0.75-0.81 ms with."""
    await on_server(database_url, "ANALYZE", within=True)


async def on_server(database_url: str, statement: str, *, within: bool = False) -> None:
    """Run `statement` (CREATE or DROP DATABASE {}) on the server of `database_url`;
    `within`: in that database itself."""
    from sqlalchemy.engine import make_url

    database = str(make_url(database_url).database)
    connection = await connect(database_url, database if within else "postgres")
    try:
        await connection.execute(statement.format(f'"{database}"'))
    finally:
        await connection.close()


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
