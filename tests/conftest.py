"""Shared test settings and database fixtures.

`database_url` runs a test on SQLite (a file in tmp_path) and on PostgreSQL when
CONSULTBOT_TEST_DATABASE_URL points at a server (a fresh, uniquely named
database per test, dropped afterwards). Without that variable the PostgreSQL
run is skipped, or fails when CONSULTBOT_REQUIRE_POSTGRES=1 (CI).
`database` is a connected `storage.database.Database` migrated to head.

Each test's database is a copy of one migrated once per run (a file copied on
SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL): running the migrations
for each test took about a third of the suite's time. A test of the migrations
themselves, or of what a database never migrated does, is marked
`empty_database` and gets one that is empty.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL, make_url

from nlu import Interpreter
from storage.database import Database
from storage.engines import PING_AFTER_IDLE_S
from tests.serving import shared_interpreter

# What `consultbot` sets at start-up (bot/cli/__init__.py), for the bots the tests start.
os.environ.setdefault("PTB_TIMEDELTA", "true")

POSTGRES_ENV = "CONSULTBOT_TEST_DATABASE_URL"
REQUIRE_POSTGRES_ENV = "CONSULTBOT_REQUIRE_POSTGRES"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say loudly when the PostgreSQL half of the contract did not run: every
    behaviour test runs on both databases, and production runs on PostgreSQL."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "PostgreSQL tests skipped" in str(report.longrepr)
    ]
    if skipped:
        terminalreporter.write_sep(
            "!",
            f"{len(skipped)} tests did NOT run on PostgreSQL: half the storage contract "
            f"is unchecked (set {POSTGRES_ENV}, e.g. "
            "postgresql+asyncpg://postgres@127.0.0.1:5432/test)",
            red=True,
            bold=True,
        )


def _postgres_unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
        pytest.fail(f"PostgreSQL is required ({REQUIRE_POSTGRES_ENV}=1) but {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


async def _admin_connection(server: URL) -> Any:  # an asyncpg connection
    import asyncpg

    return await asyncpg.connect(
        user=server.username,
        password=server.password,
        host=server.host or "127.0.0.1",
        port=server.port or 5432,
        database=server.database or "postgres",
        timeout=10,
    )


async def admin_connection(database_url: str) -> Any:  # an asyncpg connection
    """A connection of the test's own to its PostgreSQL database, outside the
    service's pool (e.g. to hold a lock the service meets)."""
    return await _admin_connection(make_url(database_url))


async def set_read_only(database_url: str, on: bool) -> None:
    """The test's PostgreSQL database set read-only (as a standby is), or back."""
    await set_database_setting(database_url, "default_transaction_read_only", "on" if on else None)


async def set_connections_allowed(database_url: str, allowed: bool) -> None:
    """The test's PostgreSQL database open to new connections or not (`ALTER
    DATABASE ... ALLOW_CONNECTIONS`), its open ones ended."""
    await _alter_database(database_url, f"ALLOW_CONNECTIONS {str(allowed).lower()}")


async def set_database_setting(database_url: str, name: str, value: str | None) -> None:
    """A setting of the test's PostgreSQL database (`ALTER DATABASE ... SET`),
    or back to the server's (None), for the connections opened next."""
    change = f"RESET {name}" if value is None else f"SET {name} = '{value}'"
    await _alter_database(database_url, change)


async def _alter_database(database_url: str, change: str) -> None:
    """`ALTER DATABASE <the test's> <change>`; the open connections end, and a
    pool, once they were idle a while, finds them gone and opens new ones
    (storage.engines) instead of failing a request with them."""
    url = make_url(database_url)
    admin = await _admin_connection(url.set(database="postgres"))
    try:
        database = url.database
        await admin.execute(f'ALTER DATABASE "{database}" {change}')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database
        )
    finally:
        await admin.close()
    await asyncio.sleep(PING_AFTER_IDLE_S + 0.1)


class _Templates:
    """The databases migrated once per run that tests' databases are copies of,
    made when first needed and removed when the run ends."""

    def __init__(self) -> None:
        self._sqlite: Path | None = None
        self._postgresql: dict[str, str] = {}  # by server URL: the template's name

    async def sqlite(self) -> Path:
        if self._sqlite is None:
            path = Path(tempfile.mkdtemp(prefix="consultbot-template-")) / "migrated.db"
            try:
                await _migrate(f"sqlite+aiosqlite:///{path}")
                with sqlite3.connect(path) as connection:  # all of it in the file, none in the log
                    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except BaseException:
                shutil.rmtree(path.parent, ignore_errors=True)  # no half-migrated template
                raise
            self._sqlite = path
        return self._sqlite

    async def postgresql(self, server: URL) -> str:
        key = server.render_as_string(hide_password=False)
        if key not in self._postgresql:
            name = f"consultbot_template_{uuid.uuid4().hex[:16]}"
            admin = await _admin_connection(server)
            try:
                await admin.execute(f'CREATE DATABASE "{name}"')
            finally:
                await admin.close()
            try:
                await _migrate(server.set(database=name).render_as_string(hide_password=False))
            except BaseException:
                # A template that failed to migrate is dropped now: later tests must not
                # copy it, and the shared server must not keep it.
                await _drop(server, name)
                raise
            self._postgresql[key] = name
        return self._postgresql[key]

    async def remove(self) -> None:
        if self._sqlite is not None:
            shutil.rmtree(self._sqlite.parent, ignore_errors=True)
        for key, name in self._postgresql.items():
            await _drop(make_url(key), name)


async def _drop(server: URL, name: str) -> None:
    admin = await _admin_connection(server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _migrate(url: str) -> None:
    db = await Database.connect(url)
    try:
        await db.upgrade()
    finally:
        await db.close()


_TEMPLATES = _Templates()


def pytest_sessionfinish() -> None:
    asyncio.run(_TEMPLATES.remove())


@pytest.fixture(scope="session")
def interpreter() -> Interpreter:
    """The interpreter as start-up builds it, built once for the whole run."""
    return shared_interpreter()


@pytest.fixture
def postgres_server_url() -> str:
    """The URL of the test PostgreSQL server (its own `test` database), for tests
    that create or miss databases themselves."""
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        _postgres_unavailable(f"{POSTGRES_ENV} is not set")
    return str(raw)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A SQLAlchemy URL of a database of its own at the latest migration, or
    an empty one for a test marked `empty_database`."""
    empty = request.node.get_closest_marker("empty_database") is not None
    if request.param == "sqlite":
        path = tmp_path / "consultbot.db"
        if not empty:
            shutil.copyfile(await _TEMPLATES.sqlite(), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        _postgres_unavailable(f"{POSTGRES_ENV} is not set")
    server = make_url(raw)
    try:
        admin = await _admin_connection(server)
    except Exception as error:  # any failure to reach or log in
        _postgres_unavailable(f"cannot connect to {server.host}:{server.port}: {error}")
    name = f"consultbot_test_{uuid.uuid4().hex[:16]}"
    try:
        template = "" if empty else f' TEMPLATE "{await _TEMPLATES.postgresql(server)}"'
        await admin.execute(f'CREATE DATABASE "{name}"{template}')
    finally:
        await admin.close()
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        await _drop(server, name)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A connected database at the latest migration."""
    db = await Database.connect(database_url)
    try:
        await db.upgrade()
        yield db
    finally:
        await db.close()
