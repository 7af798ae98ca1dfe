"""`consultbot serve --workers N`: N serving processes on one port.

A supervisor (this process) prepares the database once (migrations, the first
deployment), then starts N `consultbot serve` workers; each listens on the same
port with SO_REUSEPORT, so the kernel spreads new connections among them, and
each has its own connection pool on the one PostgreSQL database. What must hold
across processes holds there: a message's dedupe and a resident's order (the
database's unique claim and row locks), pushes to an open web chat (LISTEN/
NOTIFY), one deliverer per event (SKIP LOCKED).

SIGTERM or Ctrl-C is passed on to every worker, which finishes its messages in
flight; the supervisor exits once all have. A worker that dies is logged and
started again; one that cannot start (it exits with an error soon after its
start: its port taken, a wrong setting) stops them all with its exit code.

SQLite is refused: one process writes to it at a time, and its group commit
and in-process locks only serialise the messages of one process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from bot.config import Settings
from bot.errors import UserError
from storage.engines import parse_url

log = logging.getLogger(__name__)

# A worker that exits with an error this soon after its start could not start:
# not restarted. One killed by a signal (SIGKILL, the OOM killer) always is.
START_GRACE_S = 10.0
POLL_S = 0.2


class WorkersRefused(UserError):
    """--workers cannot be used with these settings."""


def supervise(settings: Settings, workers: int, config: Path | None) -> int:
    """Run `workers` serving processes until SIGTERM or SIGINT; their exit code."""
    check(settings, workers)
    _prepare_database(settings)
    command = [
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--host",
        settings.server.host,
        "--port",
        str(settings.server.port),
    ]
    if config is not None:
        command += ["--config", str(config)]
    stopping = False

    def stop(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    running: dict[int, tuple[subprocess.Popen[bytes], float]] = {}
    for number in range(1, workers + 1):
        running[number] = _start(command, number)
    print(
        f"consultbot: {workers} workers serving on port {settings.server.port} "
        f"(pids {', '.join(str(p.pid) for p, _ in running.values())}); Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )
    code = 0
    while not stopping:
        time.sleep(POLL_S)
        for number, (process, started) in list(running.items()):
            exit_code = process.poll()
            if exit_code is None:
                continue
            if stopping:
                # Died before this loop saw it, and the stop came meanwhile: say so
                # (a worker that stopped cleanly on a Ctrl-C to the group exits 0).
                if exit_code != 0:
                    log.error(
                        "worker %d (pid %d) died (exit status %d)", number, process.pid, exit_code
                    )
                continue
            if exit_code > 0 and time.monotonic() - started < START_GRACE_S:
                log.error("worker %d could not start (exit code %d): stopping", number, exit_code)
                stopping, code = True, exit_code or 1
                break
            log.error(
                "worker %d (pid %d) died (exit status %d); the others carry on; starting it again",
                number,
                process.pid,
                exit_code,
            )
            running[number] = _start(command, number)
    print("consultbot: stopping the workers after their messages in flight", file=sys.stderr)
    for process, _ in running.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process, _ in running.values():
        process.wait()
    return code


def check(settings: Settings, workers: int) -> None:
    """Raise WorkersRefused when `workers` processes cannot share these settings."""
    if workers <= 1:
        return
    if parse_url(settings.database_url).get_backend_name() != "postgresql":
        raise WorkersRefused(
            f"--workers {workers} needs PostgreSQL: SQLite is written by one process at a "
            "time. Set CONSULTBOT_DATABASE_URL=postgresql+asyncpg://user@host:5432/db, "
            "or run one process (--workers 1)"
        )
    # Telegram in polling mode is fine: one process polls at a time
    # (storage.sole_holder), the others stand by to take over.


def _start(command: list[str], number: int) -> tuple[subprocess.Popen[bytes], float]:
    process = subprocess.Popen([*command, "--worker-of", str(number)])
    return process, time.monotonic()


def _prepare_database(settings: Settings) -> None:
    """Migrate and deploy the first flows once, before the workers start (each
    would find it done)."""
    from bot.startup import check_default_consultation, flow_folders, open_database

    async def prepare() -> None:
        folders = flow_folders(settings)
        database = await open_database(settings, folders, now=dt.datetime.now(dt.UTC))
        try:
            # Here, once, rather than by every worker, each of which would stop.
            await check_default_consultation(database, settings)
        finally:
            await database.close()

    asyncio.run(prepare())
