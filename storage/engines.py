"""How an engine is made for each database we support: the URL checked, SQLite
opened in WAL mode on the event loop's thread (storage.sqlite_inline) with its
transactions begun IMMEDIATE (DEFERRED for `Database.read`), PostgreSQL with
its pool, its options and its connections checked out alive. storage.database
holds what is done with an engine (transactions, reads, migrations).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, QueuePool
from sqlalchemy.util import await_only

from storage import json_text, prepared, sqlite_inline
from storage.checkpoints import WalCheckpointer
from storage.diagnosis import redact, where
from storage.errors import DatabaseUnavailable, StorageError, TransactionNeeded

SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
SQLITE_BUSY_TIMEOUT = 5.0  # seconds
# PostgreSQL connections each process keeps open (URL option `pool_size`): one
# message holds one for its transaction, a few milliseconds; more than the
# server's cores rarely helps (README, "Running in production").
POOL_SIZE = 10
# Connections each process keeps beyond `pool_size` for everything but
# residents' messages (the console, the API and feeds, the outbox deliverer,
# the Telegram poller's lock, a message done again in a transaction of
# SQLAlchemy's): messages hand their `pool_size` connections from one to the
# next under load (storage.connection_handoff), and would otherwise leave none.
FOR_THE_REST = 2
# Seconds a message or a request waits for a connection when all are busy
# (URL option `pool_timeout`; SQLAlchemy's default): then it is refused with
# "try again" (storage.diagnosis), not left waiting longer than a person would.
POOL_TIMEOUT_S = 30.0
# A connection unused for this long is pinged before use (a server restarted
# meanwhile is noticed then, not by a resident's message); one in use more often
# is not: a ping is a round trip, and under load every message would pay it.
PING_AFTER_IDLE_S = 2.0
# Execution option of the engine `Database.read` uses: its SQLite transactions begin
# DEFERRED (a snapshot, no write lock) instead of IMMEDIATE.
READ_ONLY = "consultbot_read_only"
# JSON columns are written and read by orjson on both databases (storage.json_text).
_JSON = {"json_serializer": json_text.dumps, "json_deserializer": json_text.loads}


def open_engine(
    url: URL, pool_size: int | None, sqlite_busy_timeout: float
) -> tuple[AsyncEngine, WalCheckpointer | None]:
    """The engine of `url` (checked by `parse_url`) and, on SQLite, the
    checkpointer of its write-ahead log."""
    if url.get_backend_name() != "sqlite":
        return _postgresql_engine(url, pool_size), None
    _check_sqlite_folder(url)
    checkpoints = WalCheckpointer(_sqlite_path(url))
    return _sqlite_engine(url, sqlite_busy_timeout, checkpoints), checkpoints


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
        **_JSON,
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

    - `pool_size` (default POOL_SIZE): connections per process for residents'
      messages, and FOR_THE_REST more for the rest, no more; a burst waits its
      turn for one (a connection opened for a burst and closed after would
      prepare its statements again, a round trip each);
    - `synchronous_commit` (default: the server's, `on`: a commit returns once
      on disk): `off` answers residents before the commit is flushed, a power
      cut or server crash then loses the last ~0.6 s of acknowledged messages;
      only as an explicit choice;
    - `pool_timeout` (default POOL_TIMEOUT_S): seconds a message or a request
      waits for a connection when all are busy (slow queries, or a pool_size
      too small for the load) before it is refused with "try again";
    - `prepared_statement_cache_size` (asyncpg's, default 100 per connection):
      statements are prepared once per connection and reused; set 0 behind a
      pooler in transaction mode (PgBouncer) that cannot keep them.
    """
    query = dict(url.query)
    size = query.pop("pool_size", None)
    timeout = query.pop("pool_timeout", None)
    synchronous_commit = query.pop("synchronous_commit", None)
    if pool_size is None:
        try:
            pool_size = int(size) if isinstance(size, str) else POOL_SIZE
        except ValueError:
            pool_size = 0
        if pool_size < 1:
            raise StorageError(f"{redact(url)}: pool_size must be a whole number of 1 or more")
    try:
        pool_timeout = float(timeout) if isinstance(timeout, str) else POOL_TIMEOUT_S
    except ValueError:
        pool_timeout = 0.0
    if not 0 < pool_timeout <= 3600:
        raise StorageError(f"{redact(url)}: pool_timeout must be seconds, more than 0")
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
        pool_size=pool_size + FOR_THE_REST,
        max_overflow=0,
        pool_timeout=pool_timeout,
        hide_parameters=True,
        connect_args=connect_args,
        **_JSON,
    )
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def send_held(connection: Connection, *_: Any) -> None:
        # A statement of SQLAlchemy's own sees the writes held before it
        # (storage.write_batch); it runs inside SQLAlchemy's greenlet. With no
        # transaction begun (an optimistic message), sending them begins it.
        batch = connection.info.get(prepared.BATCH)
        if batch is None:
            return
        if batch.held:
            await_only(batch.send())
        if not batch.begun:
            raise TransactionNeeded("a statement of SQLAlchemy's own needs a transaction")

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


def for_messages(engine: AsyncEngine) -> int:
    """How many of a PostgreSQL engine's connections residents' messages may
    hold at once: its `pool_size`."""
    pool = engine.sync_engine.pool
    assert isinstance(pool, QueuePool), "a PostgreSQL engine has a queue pool"
    return pool.size() - FOR_THE_REST


def refusing_engine(url: URL) -> AsyncEngine:
    """An engine of `url`'s dialect that never connects: every attempt raises
    TransactionNeeded. The bind of a session whose statements must run on a
    connection it was given, never on one of its own (storage.pg_transaction)."""

    async def refuse() -> Any:
        raise TransactionNeeded("a statement of SQLAlchemy's own needs a transaction")

    return create_async_engine(url, poolclass=NullPool, async_creator=refuse)
