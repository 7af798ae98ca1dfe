"""The database: one engine, the unit of work, and migrations.

    db = await Database.connect("sqlite+aiosqlite:///./consultbot.db")
    await db.upgrade()                       # Alembic to head; safe to run at every start
    async with db.transaction() as session:  # commit on success, rollback on error
        participant = await participants.get_or_create(session, ...)
    async with db.read() as session:         # reads only: never waits for a writer
        found = await participants.find(session, ...)
    await db.close()

Statement parameters (residents' words among them) never appear in error
messages or logs (hide_parameters).

SQLite runs in WAL mode with foreign keys on, on the event loop's thread
(storage.sqlite_inline: no thread hop per statement); its transactions begin
IMMEDIATE (they take the write lock at once, so a read followed by a write can
never fail half-way on a snapshot another process moved), waiting for another
process's lock up to a timeout without blocking the loop, and transactions of one
process queue on an asyncio lock instead of polling the file lock; those queued
together share one commit (storage.group_commit). A `read()` begins a plain
(deferred) transaction on a connection of its own instead: it reads the last
committed snapshot and neither waits for the writer nor makes it wait.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.util import await_only

from storage import json_text, pg_transaction, prepared, sqlite_inline
from storage.checkpoints import WalCheckpointer
from storage.diagnosis import redact, translate, where
from storage.errors import DatabaseUnavailable, SchemaOutOfDate, StorageError
from storage.group_commit import GroupCommit

# Set while the current task is inside Database.transaction().
_inside_transaction: ContextVar[bool] = ContextVar("inside_transaction", default=False)


class _Unit:
    """What `transaction()` and `read()` share around their work: none opened
    inside another in the same task (the inner one would wait for the outer's
    locks forever), and database failures raised as StorageErrors. A class
    rather than a generator-based context manager: it runs for every message."""

    __slots__ = ("_database", "_nested", "_token")

    def __init__(self, database: Database, nested: str) -> None:
        self._database = database
        self._nested = nested  # what opening one inside another is called
        self._token: Token[bool] | None = None

    def __enter__(self) -> None:
        if _inside_transaction.get():
            raise RuntimeError(f"{self._nested}; use the session of the outer transaction")
        self._token = _inside_transaction.set(True)

    def __exit__(self, _: type[BaseException] | None, error: BaseException | None, __: Any) -> None:
        assert self._token is not None
        _inside_transaction.reset(self._token)
        if isinstance(error, Exception):
            translated = self._database._translate(error)
            if translated is not error:
                raise translated from error


MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
SQLITE_BUSY_TIMEOUT = 5.0  # seconds
# PostgreSQL connections each process keeps open (URL option `pool_size`): one
# message holds one for its transaction, a few milliseconds; more than the
# server's cores rarely helps (README, "Running in production").
POOL_SIZE = 10
# A connection unused for this long is pinged before use (a server restarted
# meanwhile is noticed then, not by a resident's message); one in use more often
# is not: a ping is a round trip, and under load every message would pay it.
PING_AFTER_IDLE_S = 2.0
# Execution option of the engine `Database.read` uses: its SQLite transactions begin
# DEFERRED (a snapshot, no write lock) instead of IMMEDIATE.
READ_ONLY = "consultbot_read_only"
# Key of the PostgreSQL advisory lock that makes concurrent start-ups migrate one at a time.
MIGRATION_LOCK_KEY = 0x636F6E73756C74  # "consult"


def _snapshot(engine: AsyncEngine) -> dict[str, str]:
    """What makes a read one snapshot: on PostgreSQL, REPEATABLE READ (at its
    default, READ COMMITTED, each statement sees what was committed when it
    began: a check and the read after it could disagree, e.g. an endpoint seen
    enabled and then the events added after it was disabled). SQLite's
    deferred transaction is a snapshot already."""
    return {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}


class Database:
    """A connected database. Create with `await Database.connect(url)`."""

    def __init__(self, engine: AsyncEngine, checkpoints: WalCheckpointer | None = None) -> None:
        self._engine = engine
        self._url = engine.url
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self._readers = async_sessionmaker(
            engine.execution_options(**{READ_ONLY: True}, **_snapshot(engine)),
            expire_on_commit=False,
            autoflush=False,
        )
        self._checkpoints = checkpoints
        self._unreachable_at: float | None = None
        self._group: GroupCommit | None = None  # SQLite's transactions share commits
        if self._url.get_backend_name() == "sqlite":
            self._group = GroupCommit(
                self._sessions,
                self._begin_sqlite,
                lambda error: translate(error, self._url),
                checkpoints.committed if checkpoints else lambda _: None,
            )

    @classmethod
    async def connect(
        cls,
        url: str | URL,
        *,
        pool_size: int | None = None,
        sqlite_busy_timeout: float = SQLITE_BUSY_TIMEOUT,
    ) -> Database:
        """Open the database at `url` and check that it answers. On SQLite, a
        transaction waits up to `sqlite_busy_timeout` seconds for another
        process's write lock before failing with DatabaseBusy. On PostgreSQL,
        `pool_size` connections are kept open (default: the URL's `pool_size`,
        else POOL_SIZE; see `_postgresql_engine` for the other URL options).

        Raises DatabaseUnavailable with the host (never the password) and the cause."""
        parsed = parse_url(url)
        backend = parsed.get_backend_name()
        checkpoints = None
        if backend == "sqlite":
            _check_sqlite_folder(parsed)
            checkpoints = WalCheckpointer(_sqlite_path(parsed))
            engine = _sqlite_engine(parsed, sqlite_busy_timeout, checkpoints)
        else:
            engine = _postgresql_engine(parsed, pool_size)
        database = cls(engine, checkpoints)
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            await engine.dispose()
            raise _as_storage_error(error, parsed) from None
        return database

    @property
    def url(self) -> str:
        """The URL without its password, fit for logs and messages."""
        return redact(self._url)

    @property
    def backend(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self._url.get_backend_name()

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: an AsyncSession committed when the block ends, rolled
        back if it raises. Database failures come out as StorageErrors
        (DatabaseBusy: retry in a moment; nothing was written).

        Keep it short and free of other I/O: on SQLite it holds the database's
        write lock throughout. One opened inside another in the same task
        raises RuntimeError: the inner one would wait for the outer's locks
        forever."""
        with _Unit(self, "Database.transaction() opened inside another one"):
            if self._group is not None:
                async with self._group.transaction() as session:
                    yield session
            else:
                dialect = self._engine.dialect
                async with (
                    self._sessions() as session,
                    pg_transaction.transaction(session, dialect),
                ):
                    yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A transaction for reads only: a consistent snapshot of what was
        committed when it began, rolled back at the end (anything written in it
        is discarded). On SQLite it takes no write lock, so it neither waits for
        the transactions of `transaction()` nor delays them; on PostgreSQL it is
        REPEATABLE READ (reads never wait there, nor fail to serialise). Errors
        come out as StorageErrors, as from `transaction()`."""
        with _Unit(self, "Database.read() opened inside a transaction"):
            async with self._readers() as session:
                if self._group is None:
                    session.info[prepared.POSTGRESQL_DIALECT] = self._engine.dialect
                try:
                    yield session
                finally:
                    await prepared.let_go(session)  # what it would have written: nothing
                    await session.rollback()

    @property
    def unreachable_at(self) -> float | None:
        """When (time.monotonic()) a transaction last found the database
        unreachable (a restart, a lost connection), if ever: a readiness check
        trusts no earlier success (bot.web.readiness)."""
        return self._unreachable_at

    def _translate(self, error: Exception) -> BaseException:
        translated = translate(error, self._url)
        if isinstance(translated, DatabaseUnavailable):
            self._unreachable_at = time.monotonic()
        return translated

    async def _begin_sqlite(self, session: AsyncSession) -> sqlite3.Connection:
        # Begins the transaction (BEGIN IMMEDIATE) and hands its sqlite3
        # connection to the prepared statements of the per-message path.
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, sqlite_inline.InlineConnection)
        session.info[prepared.SQLITE_CONNECTION] = (driver.sqlite3, self._engine.dialect)
        return driver.sqlite3

    async def upgrade(self, revision: str = "head") -> None:
        """Apply the migrations up to `revision` (default: the latest). Concurrent
        start-ups are serialised; an up-to-date database is left untouched."""
        await self._migrate(revision, lambda config: command.upgrade(config, revision))

    async def downgrade(self, revision: str) -> None:
        """Revert the migrations down to `revision` ("base" drops every table)."""
        await self._migrate(revision, lambda config: command.downgrade(config, revision))

    async def current_revision(self) -> str | None:
        """The revision the database is at; None when no migration was applied."""
        try:
            async with self._engine.connect() as connection:
                return await connection.run_sync(_current_revision)
        except Exception as error:
            raise _as_storage_error(error, self._url) from None

    @staticmethod
    def head_revision() -> str:
        """The latest revision this version of consultbot knows."""
        head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
        assert head is not None, "storage/migrations has no revision"
        return head

    @staticmethod
    def known_revisions() -> list[str]:
        """Every revision this version of consultbot knows, oldest first."""
        scripts = ScriptDirectory.from_config(_alembic_config())
        return [script.revision for script in reversed(list(scripts.walk_revisions()))]

    async def check_schema(self) -> None:
        """Raise SchemaOutOfDate unless the database is at the latest revision."""
        current, head = await self.current_revision(), self.head_revision()
        if current is not None and current not in self.known_revisions():
            raise self._newer(current)
        if current != head:
            raise SchemaOutOfDate(
                f"{where(self._url)} is at revision {current or 'none'} but this consultbot "
                f"needs {head}: run `consultbot db upgrade`"
            )

    async def close(self) -> None:
        if self._group is not None:
            await self._group.close()
        if self._checkpoints is not None:
            await self._checkpoints.close()
        await self._engine.dispose()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _writer(self) -> AbstractAsyncContextManager[object]:
        return nullcontext() if self._group is None else self._group.exclusive()

    def _newer(self, current: str) -> SchemaOutOfDate:
        return SchemaOutOfDate(
            f"{where(self._url)} is at revision {current}, which this consultbot does not "
            "know: a newer version migrated it; run that version (or restore a backup)"
        )

    async def _migrate(self, target: str, run: Any) -> None:
        known = self.known_revisions()
        if target not in ("head", "base", *known):
            raise StorageError(
                f"unknown revision {target!r}; known: base, {', '.join(known)} (head)"
            )
        current = await self.current_revision()
        if current is not None and current not in known:
            raise self._newer(current)

        def migrate(connection: Connection) -> None:
            run(_alembic_config(connection))

        async with self._writer():
            try:
                async with self._engine.begin() as connection:
                    if self.backend == "postgresql":
                        await connection.execute(
                            text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                        )
                    await connection.run_sync(migrate)
            except Exception as error:
                translated = translate(error, self._url)
                if translated is error:
                    raise
                raise translated from error


def parse_url(url: str | URL) -> URL:
    """The URL of a database we support (SUPPORTED_DRIVERS), or StorageError
    saying what to write instead. The one check of the driver: the settings
    use it too."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(
            "not a database URL; use sqlite+aiosqlite:///path/to/file.db "
            "or postgresql+asyncpg://user@host:5432/db"
        ) from None
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise StorageError(
            f"unsupported database driver {parsed.drivername!r} in {redact(parsed)}; "
            "use sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host:5432/db"
        )
    return parsed


def _check_sqlite_folder(url: URL) -> None:
    # Checked here because SQLite's own "unable to open database file" names no
    # cause, and a failed open leaves aiosqlite's worker thread behind.
    if not url.database or url.database == ":memory:":
        raise StorageError(
            "an in-memory SQLite database would lose every answer at exit; "
            "give a file: sqlite+aiosqlite:///path/to/file.db"
        )
    folder = Path(url.database).expanduser().resolve().parent
    if not folder.is_dir():
        raise DatabaseUnavailable(
            f"cannot open {where(url)}: the folder {folder} does not exist; create it "
            "or set CONSULTBOT_DATABASE_URL"
        )


def _sqlite_synchronous(url: URL) -> str:
    """The `synchronous` URL option. In WAL mode `normal` (the default) loses no
    committed transaction when the process dies, only the last ones on an
    operating-system crash or power cut; `full` also survives those, at the
    cost of a disk flush per transaction (milliseconds, against microseconds)."""
    value = url.query.get("synchronous", "normal")
    if not isinstance(value, str) or value.lower() not in ("normal", "full"):
        raise StorageError(
            f"{redact(url)}: synchronous must be normal or full, e.g. "
            "sqlite+aiosqlite:///path/to/file.db?synchronous=full"
        )
    return value.upper()


def _sqlite_path(url: URL) -> str:
    return str(Path(url.database or "").expanduser())


def _sqlite_engine(url: URL, busy_timeout: float, checkpoints: WalCheckpointer) -> AsyncEngine:
    path = _sqlite_path(url)
    synchronous = _sqlite_synchronous(url)

    async def connect() -> sqlite_inline.InlineConnection:
        connection = sqlite_inline.connect(path)
        for pragma in (
            "journal_mode = WAL",
            "wal_autocheckpoint = 0",  # storage.checkpoints does it off the event loop
            "foreign_keys = ON",
            f"synchronous = {synchronous}",
        ):
            await connection.execute(f"PRAGMA {pragma}")
        return connection

    engine = create_async_engine(
        url,
        async_creator=connect,
        hide_parameters=True,
        json_serializer=json_text.dumps,
        json_deserializer=json_text.loads,
    )

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite_inline.InlineConnection)
        if connection.get_execution_options().get(READ_ONLY):
            driver.sqlite3.execute("BEGIN DEFERRED")  # a snapshot at the first read
            return
        checkpoints.catch_up(driver.sqlite3)
        await_only(driver.begin_immediate(busy_timeout))

    return engine


def _postgresql_engine(url: URL, pool_size: int | None) -> AsyncEngine:
    """The engine of a PostgreSQL URL. Options of ours in the URL's query:

    - `pool_size` (default POOL_SIZE): connections per process, no more; a
      burst waits its turn for one (a connection opened for a burst and closed
      after would prepare its statements again, a round trip each);
    - `synchronous_commit` (default: the server's, `on`: a commit returns once
      on disk): `off` answers residents before the commit is flushed, a power
      cut or server crash then loses the last ~0.6 s of acknowledged messages;
      only as an explicit choice;
    - `prepared_statement_cache_size` (asyncpg's, default 100 per connection):
      statements are prepared once per connection and reused; set 0 behind a
      pooler in transaction mode (PgBouncer) that cannot keep them.
    """
    query = dict(url.query)
    size = query.pop("pool_size", None)
    synchronous_commit = query.pop("synchronous_commit", None)
    if pool_size is None:
        try:
            pool_size = int(size) if isinstance(size, str) else POOL_SIZE
        except ValueError:
            pool_size = 0
        if pool_size < 1:
            raise StorageError(f"{redact(url)}: pool_size must be a whole number of 1 or more")
    connect_args: dict[str, Any] = {}
    if synchronous_commit is not None:
        if synchronous_commit not in ("on", "off", "local", "remote_write", "remote_apply"):
            raise StorageError(
                f"{redact(url)}: synchronous_commit must be on, off, local, remote_write "
                "or remote_apply"
            )
        connect_args["server_settings"] = {"synchronous_commit": synchronous_commit}
    engine = create_async_engine(
        url.set(query=query),
        pool_size=pool_size,
        max_overflow=0,
        hide_parameters=True,
        connect_args=connect_args,
        json_serializer=json_text.dumps,
        json_deserializer=json_text.loads,
    )
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def send_held(connection: Connection, *_: Any) -> None:
        # A statement of SQLAlchemy's own sees the writes held before it
        # (storage.write_batch); it runs inside SQLAlchemy's greenlet.
        batch = connection.info.get(prepared.BATCH)
        if batch is not None and batch.held:
            await_only(batch.send())

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def on_checkin(_: Any, entry: ConnectionPoolEntry) -> None:
        entry.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def on_checkout(dbapi_connection: Any, entry: ConnectionPoolEntry, _: Any) -> None:
        # SQLAlchemy's documented pessimistic disconnect handling, without a
        # round trip under load: raising DisconnectionError makes the pool open a
        # new connection instead. A connection the server closed (a restart) is
        # known closed by asyncpg at once; one idle for a while is pinged.
        if entry.driver_connection is None or entry.driver_connection.is_closed():
            raise DisconnectionError("the server closed the connection")
        idle_since = entry.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception:
            alive = False
        if not alive:
            raise DisconnectionError("the connection was lost while idle")

    return engine


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _as_storage_error(error: BaseException, url: URL) -> StorageError:
    translated = translate(error, url)
    if isinstance(translated, StorageError):
        return translated
    return DatabaseUnavailable(f"cannot use {where(url)}: {error}")
