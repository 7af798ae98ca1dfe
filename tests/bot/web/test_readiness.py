"""`/readyz` checks that the database takes writes, with a write at most every
few seconds."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.web.readiness import WriteCheck
from storage.database import Database
from storage.errors import DatabaseUnavailable
from tests.conftest import _admin_connection, set_database_setting
from tests.serving import running, settings_for
from tests.storage.locks import probe_row_locked, sqlite_write_lock
from tests.throwaway_postgres import Cluster, throwaway_cluster

__all__ = ["throwaway_cluster"]  # the fixture, used by name


class Ticks:
    """Monotonic seconds as the test decides them."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def probe_time(database: Database):
    async with database.transaction() as s:
        return await s.scalar(text("SELECT checked_at FROM readiness_probe"))


async def test_a_successful_write_is_trusted_for_a_while_then_checked_again(database):
    ticks = Ticks()
    check = WriteCheck(database, clock=ticks, fresh_for=10)
    assert await probe_time(database) is None
    assert await check.takes_writes()
    first = await probe_time(database)
    assert first is not None
    ticks.now = 9.9
    assert await check.takes_writes()
    assert await probe_time(database) == first  # no write for this probe
    ticks.now = 10.0
    assert await check.takes_writes()
    assert await probe_time(database) != first  # written again


async def test_a_success_is_not_trusted_once_the_database_was_found_unreachable(
    throwaway_cluster: Cluster,
):
    database = await Database.connect(throwaway_cluster.url)
    ticks = Ticks()
    check = WriteCheck(database, clock=ticks, fresh_for=10, retry_after=1)

    async def a_message() -> None:
        async with database.transaction() as session:
            await session.execute(text("SELECT 1"))

    try:
        await database.upgrade()
        assert await check.takes_writes()
        await asyncio.to_thread(throwaway_cluster.stop)
        with pytest.raises(DatabaseUnavailable):
            await a_message()  # a resident is asked to send again
        ticks.now = 0.5  # long before the success would be checked again
        assert not await check.takes_writes()
        assert check.problem == "database_unavailable"
        await asyncio.to_thread(throwaway_cluster.start)
        assert not await check.takes_writes()  # a failure is retried after retry_after
        ticks.now = 1.5
        assert await check.takes_writes()
    finally:
        await database.close()


@contextmanager
def immutable(*files: Path) -> Iterator[None]:
    """The files can be neither written nor replaced, even by root (chattr +i)."""
    names = [str(f) for f in files if f.exists()]
    done = subprocess.run(["chattr", "+i", *names], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot make the database file read-only here: {done.stderr.decode()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *names], check=True)


async def readyz(base: str) -> tuple[int, dict[str, str]]:
    async with aiohttp.ClientSession() as http, http.get(base + "/readyz") as response:
        return response.status, await response.json()


async def test_a_sqlite_file_found_read_only_is_named_read_only(tmp_path, caplog):
    path = tmp_path / "consultbot.db"
    async with sqlite_database(path):
        pass  # migrated, then closed: its write-ahead log folded back into the file
    with immutable(path):
        async with sqlite_database(path, migrate=False) as database:
            check = WriteCheck(database)
            assert not await check.takes_writes()
    assert check.problem == "database_read_only"
    assert "read-only" in logged(caplog)[0]


async def test_a_disk_i_o_error_under_a_running_server_is_a_database_error(tmp_path, caplog):
    """The files made unwritable under connections SQLite holds open: it says
    "disk I/O error", which it cannot tell from a failing disk. /readyz says
    database_error, the log the database's words, instead of read-only."""
    async with running(settings_for(tmp_path)) as (base, _app):
        db = tmp_path / "consultbot.db"
        with immutable(db, db.with_name(db.name + "-wal")):
            assert await readyz(base) == (503, {"status": "database_error"})
    assert "disk I/O error" in logged(caplog)[0]


@pytest.mark.postgres
async def test_a_read_only_postgresql_database_is_not_ready(tmp_path, postgres_server_url):
    server = make_url(postgres_server_url)
    admin = await _admin_connection(server)
    name = "consultbot_test_readonly_" + tmp_path.name[-8:].replace("-", "_")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        async with running(settings_for(url)) as (base, _app):
            await admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
            # The server's connections end; the ones it opens next are read-only.
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                name,
            )
            assert await readyz(base) == (503, {"status": "database_read_only"})
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_a_probe_that_waits_past_its_time_limit_is_named_a_time_out(database_url):
    """The write waits on a lock held elsewhere until the probe's own 2 s limit:
    the database is there, it did not refuse the write, it timed out."""
    async with running(settings_for(database_url)) as (base, _app), probe_row_locked(database_url):
        assert await readyz(base) == (503, {"status": "database_timed_out"})


@pytest.mark.postgres
async def test_a_probe_cancelled_by_the_lock_timeout_is_named_a_time_out(database_url, caplog):
    """PostgreSQL's lock_timeout (set for the role or database) gives the probe
    up: /readyz names the time-out, not a database that refuses writes."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's lock_timeout")
    await set_database_setting(database_url, "lock_timeout", "200ms")
    try:
        async with (
            running(settings_for(database_url)) as (base, _app),
            probe_row_locked(database_url),
        ):
            assert await readyz(base) == (503, {"status": "database_timed_out"})
    finally:
        await set_database_setting(database_url, "lock_timeout", None)
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.web.readiness"]
    assert len(logged) == 1
    assert "lock_timeout" in logged[0]


@asynccontextmanager
async def sqlite_database(
    path: Path, *, migrate: bool = True, **options: float
) -> AsyncIterator[Database]:
    """A SQLite database of the test's own at `path`, migrated unless told not to."""
    database = await Database.connect(f"sqlite+aiosqlite:///{path}", **options)
    try:
        if migrate:
            await database.upgrade()
        yield database
    finally:
        await database.close()


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.web.readiness"]


async def test_a_sqlite_database_locked_past_its_busy_timeout_is_named_busy(tmp_path, caplog):
    """Another process holds the write lock past the busy timeout: the
    database is there and takes writes in a moment; not read-only."""
    path = tmp_path / "locked.db"
    async with sqlite_database(path, sqlite_busy_timeout=0.1) as database:
        check = WriteCheck(database)
        with sqlite_write_lock(f"sqlite:///{path}"):
            assert not await check.takes_writes()
    assert check.problem == "database_busy"
    assert len(logged(caplog)) == 1
    assert "locked by another writer" in logged(caplog)[0]


async def test_a_full_sqlite_database_is_named_full(tmp_path, caplog):
    """The probe's row needs a page the file may not grow by (max_page_count,
    as a full disk would refuse it): /readyz says full, not read-only."""
    async with sqlite_database(tmp_path / "full.db") as database:
        async with database.transaction() as s:
            # The probe's table filled up to its last page, its own row not yet written.
            others = ",".join(f"({n}, '2026-01-01 00:00:00.000000')" for n in range(2, 400))
            await s.execute(text(f"INSERT INTO readiness_probe (id, checked_at) VALUES {others}"))
            pages = await s.scalar(text("PRAGMA page_count"))
            await s.execute(text(f"PRAGMA max_page_count = {pages}"))
        check = WriteCheck(database)
        assert not await check.takes_writes()
    assert check.problem == "database_full"
    assert len(logged(caplog)) == 1
    assert "full (no space left on its disk)" in logged(caplog)[0]


async def test_a_schema_older_than_this_version_is_named_out_of_date(database, caplog):
    """The probe's table is not there (a database left at an old migration):
    not a database that refuses writes, one that `consultbot db upgrade` mends."""
    await database.downgrade("0001")
    check = WriteCheck(database)
    assert not await check.takes_writes()
    assert check.problem == "database_out_of_date"
    assert len(logged(caplog)) == 1
    assert "not up to date" in logged(caplog)[0]
    assert "consultbot db upgrade" in logged(caplog)[0]


_REFUSING_TRIGGER = {
    "sqlite": [
        "CREATE TRIGGER refuse_probe BEFORE INSERT ON readiness_probe "
        "BEGIN SELECT RAISE(ABORT, 'the probe is refused by a trigger'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_probe() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the probe is refused by a trigger'; END $$",
        "CREATE TRIGGER refuse_probe BEFORE INSERT ON readiness_probe "
        "FOR EACH ROW EXECUTE FUNCTION refuse_probe()",
    ],
}


async def test_a_write_refused_for_a_reason_nobody_named_is_a_database_error(
    database, database_url, caplog
):
    """A trigger someone added refuses the probe's row: /readyz says
    database_error and the log gives the database's words, instead of
    database_read_only for a database that takes every other write."""
    async with database.transaction() as s:
        for statement in _REFUSING_TRIGGER[database.backend]:
            await s.execute(text(statement))
    async with running(settings_for(database_url)) as (base, _app):
        assert await readyz(base) == (503, {"status": "database_error"})
    (line,) = logged(caplog)
    assert "the probe is refused by a trigger" in line
