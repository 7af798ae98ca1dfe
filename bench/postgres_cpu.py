"""PostgreSQL's own CPU time, for benchmarks whose database runs on the same
machine: what a message costs the database, beside what it costs the server.

    postgres = await LocalPostgres.of(database_url)   # None: not on this machine
    before = postgres.cpu_seconds()
    ...                                               # the measured run
    print((postgres.cpu_seconds() - before) * 1000 / messages, "ms a message")
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


class LocalPostgres:
    """CPU time of a PostgreSQL server running on this machine: its postmaster
    and every process it started, those that ended included (the postmaster's
    children's time)."""

    def __init__(self, postmaster: int) -> None:
        self.postmaster = postmaster

    @classmethod
    async def of(cls, database_url: str) -> LocalPostgres | None:
        """The server of `database_url` if it runs here and /proc shows it."""
        connection = await connect(database_url, "postgres")
        try:
            backend = int(await connection.fetchval("SELECT pg_backend_pid()"))
            postmaster = int(proc_stat(backend)[1])  # the backend's parent, while it lives
            proc_stat(postmaster)
        except (OSError, IndexError, ValueError):
            return None  # another machine, or another PID namespace
        finally:
            await connection.close()
        return cls(postmaster)

    def cpu_seconds(self) -> float:
        fields = proc_stat(self.postmaster)
        total = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        children = Path(f"/proc/{self.postmaster}/task/{self.postmaster}/children")
        for pid in children.read_text().split():
            try:
                child = proc_stat(int(pid))
            except OSError:
                continue  # ended meanwhile: its time is in cutime and cstime now
            total += int(child[11]) + int(child[12])
        return total / os.sysconf("SC_CLK_TCK")


def proc_stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command name (state first)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


async def connect(database_url: str, database: str) -> Any:
    """An asyncpg connection to `database` on the server of `database_url`."""
    import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    return await asyncpg.connect(
        user=url.username,
        password=url.password,
        host=url.query.get("host") or url.host or "127.0.0.1",
        port=url.port or 5432,
        database=database,
    )
