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
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from storage import pg_transaction, prepared, sqlite_inline
from storage.checkpoints import WalCheckpointer
from storage.connection_handoff import Handoff
from storage.diagnosis import redact, translate, where
from storage.engines import (
    READ_ONLY,
    SQLITE_BUSY_TIMEOUT,
    for_messages,
    open_engine,
    parse_url,
    refusing_engine,
)
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
        # Sessions of a resident's message on PostgreSQL: their statements run on
        # a connection of their own, never one of SQLAlchemy's (storage.pg_transaction),
        # handed from one message to the next (storage.connection_handoff).
        self._alone: async_sessionmaker[AsyncSession] | None = None
        self._handoff: Handoff | None = None
        if self._url.get_backend_name() == "postgresql":
            self._alone = async_sessionmaker(
                refusing_engine(engine.url), expire_on_commit=False, autoflush=False
            )
            greenlet = self._alone()  # only to run work in SQLAlchemy's greenlet

            async def in_greenlet(work: Callable[[], None]) -> None:
                await greenlet.run_sync(lambda _: work())

            self._handoff = Handoff(engine, in_greenlet, for_messages(engine))
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
        else storage.engines.POOL_SIZE; see there for the other URL options).

        Raises DatabaseUnavailable with the host (never the password) and the cause."""
        parsed = parse_url(url)
        engine, checkpoints = open_engine(parsed, pool_size, sqlite_busy_timeout)
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
    async def transaction(self, *, optimistic: bool = False) -> AsyncIterator[AsyncSession]:
        """One unit of work: an AsyncSession committed when the block ends, rolled
        back if it raises. Database failures come out as StorageErrors
        (DatabaseBusy: retry in a moment; nothing was written).

        Keep it short and free of other I/O: on SQLite it holds the database's
        write lock throughout. One opened inside another in the same task
        raises RuntimeError: the inner one would wait for the outer's locks
        forever.

        `optimistic` (a resident's message; PostgreSQL only): begun only when
        the work needs it, which a message opened by storage.message_open may
        not, and only storage.prepared's statements run (on a connection of
        the pool, without SQLAlchemy's: storage.pg_transaction); work that goes
        beyond what it can do so raises TransactionNeeded, having written
        nothing (storage.write_batch)."""
        with _Unit(self, "Database.transaction() opened inside another one"):
            if self._group is not None:
                async with self._group.transaction() as session:
                    yield session
            elif optimistic and self._alone is not None and self._handoff is not None:
                session = self._alone()  # nothing to close: it never connects
                dialect = self._engine.dialect
                async with pg_transaction.on_connection_alone(self._handoff, session, dialect):
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
                async with (
                    self._engine.connect() as connection,
                    _foreign_keys_off(connection),
                    connection.begin(),
                ):
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


@asynccontextmanager
async def _foreign_keys_off(connection: AsyncConnection) -> AsyncIterator[None]:
    """SQLite's foreign keys off for the migrations run on `connection`, as its
    manual asks of a change that copies a table others refer to (dropping the
    original would otherwise check or delete the rows that refer to it); a
    migration that does so checks them itself before its commit. Set outside
    the transaction, where SQLite takes it into account."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert isinstance(driver, sqlite_inline.InlineConnection)
    driver.sqlite3.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        driver.sqlite3.execute("PRAGMA foreign_keys = ON")


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
