"""Whether the database takes writes, for `/readyz`.

A database that answers reads but refuses writes (a read-only file or mount, a
read-only PostgreSQL transaction or standby, a full disk) would answer every
resident "try again": such a process is not ready. The check writes one row
(storage.readiness); a success is trusted for `fresh_for` seconds, so frequent
probes cost no write each, and a failure is tried again at most every
`retry_after` seconds. Concurrent probes share one write. A success is not
trusted past a moment a transaction found the database unreachable (a restart
of PostgreSQL, a lost connection): the next probe writes again, so `/readyz`
says so while residents are being asked to send again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Final

from aiohttp import web

from storage import readiness
from storage.database import Database
from storage.errors import (
    DatabaseBusy,
    DatabaseFull,
    DatabaseReadOnly,
    DatabaseTimedOut,
    DatabaseUnavailable,
    SchemaOutOfDate,
    StorageError,
)

log = logging.getLogger(__name__)

# Other parts of the process that can fail on their own (e.g. Telegram polling
# with a refused token): each returns why, or None; `/readyz` names them.
READINESS_CHECKS = web.AppKey("readiness_checks", list[Callable[[], str | None]])


def add_check(app: web.Application, check: Callable[[], str | None]) -> None:
    """Before the application starts: `/readyz` also asks `check`."""
    app.setdefault(READINESS_CHECKS, []).append(check)


def other_problems(app: web.Application) -> list[str]:
    """The problems the checks added with `add_check` report."""
    return [p for check in app.get(READINESS_CHECKS, ()) if (p := check())]


FRESH_FOR_S: Final = 10.0
RETRY_AFTER_S: Final = 1.0
PROBE_TIMEOUT_S: Final = 2.0


class WriteCheck:
    def __init__(
        self,
        database: Database,
        *,
        clock: Callable[[], float] = time.monotonic,
        fresh_for: float = FRESH_FOR_S,
        retry_after: float = RETRY_AFTER_S,
    ) -> None:
        self._database = database
        self._clock = clock
        self._fresh_for = fresh_for
        self._retry_after = retry_after
        self._checked_at: float | None = None
        self._ok = False
        self._problem = "database_read_only"
        self._seen_unreachable_at: float | None = None
        self._probing = asyncio.Lock()

    async def takes_writes(self) -> bool:
        async with self._probing:
            now = self._clock()
            # A success is not trusted past a loss of the database; a failure
            # is tried again after `retry_after` whatever happens meanwhile.
            if self._checked_at is not None and not (self._ok and self._lost_since_checked()):
                wait = self._fresh_for if self._ok else self._retry_after
                if now - self._checked_at < wait:
                    return self._ok
            self._ok = await self._probe()
            self._checked_at = self._clock()
            self._seen_unreachable_at = self._database.unreachable_at
            return self._ok

    def _lost_since_checked(self) -> bool:
        return self._database.unreachable_at != self._seen_unreachable_at

    async def _probe(self) -> bool:
        limit = asyncio.timeout(PROBE_TIMEOUT_S)
        try:
            async with limit:
                try:
                    await self._write()
                except DatabaseUnavailable:
                    # A pooled connection the server cut since its last use (a
                    # restart, a terminated backend) fails once and is replaced:
                    # only a second failure says the database is away.
                    await self._write()
        except Exception as error:  # any refusal means: not ready
            # Past the limit, whatever the interrupted write raised, the probe
            # timed out: a lock held elsewhere, a database too slow.
            self._problem, why = _named(error, timed_out=limit.expired())
            log.warning("readiness: %s", why)
            return False
        return True

    async def _write(self) -> None:
        async with self._database.transaction() as session:
            await readiness.probe(session, now=dt.datetime.now(dt.UTC))

    @property
    def problem(self) -> str:
        """Why the last probe failed: database_unavailable, database_timed_out,
        database_busy, database_full, database_read_only, database_out_of_date
        or database_error (any other)."""
        return self._problem


def _named(error: Exception, *, timed_out: bool) -> tuple[str, str]:
    """The problem `/readyz` names for a failed probe, and the log's words."""
    if timed_out:
        return "database_timed_out", f"the probe write had no answer within {PROBE_TIMEOUT_S:g} s"
    if isinstance(error, DatabaseTimedOut):
        return "database_timed_out", str(error)
    if isinstance(error, DatabaseUnavailable):
        return "database_unavailable", f"the database is unreachable: {error}"
    # Each its own name: an operator waits out a lock, frees disk space, or
    # points the URL at the primary, and a monitor tells them apart.
    if isinstance(error, DatabaseBusy):
        return "database_busy", str(error)
    if isinstance(error, DatabaseFull):
        return "database_full", str(error)
    if isinstance(error, DatabaseReadOnly):
        return "database_read_only", str(error)
    if isinstance(error, SchemaOutOfDate):  # its words say: run `consultbot db upgrade`
        return "database_out_of_date", str(error)
    # Neither read-only nor any named cause (a disk I/O error, a bug): said as
    # what it is, so the operator reads the log instead of looking for a lock.
    if isinstance(error, StorageError):
        return "database_error", str(error)
    return "database_error", f"the probe write failed: {type(error).__name__}: {error}"
