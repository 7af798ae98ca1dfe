"""Driver errors turned into StorageErrors that say what happened and what to do.

The URL in messages never carries a password. Errors that are not about the
database being usable (a constraint the caller broke, a bug) pass through.
"""

from __future__ import annotations

import socket

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from storage.errors import (
    Conflict,
    DatabaseBusy,
    DatabaseFull,
    DatabaseReadOnly,
    DatabaseTimedOut,
    DatabaseUnavailable,
    SchemaOutOfDate,
    StorageError,
)

SET_URL = "set CONSULTBOT_DATABASE_URL"
UPGRADE = "run `consultbot db upgrade`"

# PostgreSQL SQLSTATE codes (Appendix A of its manual) by what the caller can do.
_PG_BUSY = {
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "53300",  # too_many_connections
}
_PG_CANCELLED = "57014"  # query_canceled: statement_timeout, or pg_cancel_backend
_PG_LOCK_TIMEOUT = "55P03"  # lock_not_available: lock_timeout
_PG_FULL = {"53100", "53200"}  # disk_full, out_of_memory
_PG_READ_ONLY = "25006"  # read_only_sql_transaction: a standby, or the database set so
_PG_UNAVAILABLE = {"57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004"}
# object_not_in_prerequisite_state: among others, a database that takes no
# connections (ALTER DATABASE ... ALLOW_CONNECTIONS false), said only in words.
_PG_PREREQUISITE = "55000"
_PG_AUTH = {"28000", "28P01"}
_PG_UNIQUE = "23505"
_PG_NO_DATABASE = "3D000"
_PG_NO_TABLE = "42P01"
_PG_NO_COLUMN = "42703"


def redact(url: str | URL) -> str:
    """The URL as it may be shown: without its password."""
    try:
        parsed = make_url(url)
    except Exception:  # a string that is not a URL: show nothing of it
        return "<unparseable database URL>"
    # URL.set(password=None) would keep the password: None there means "unchanged".
    bare = URL.create(
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        # asyncpg also takes the password as an option of the URL.
        query={k: v for k, v in parsed.query.items() if k.lower() != "password"},
    )
    return bare.render_as_string(hide_password=False)


def where(url: str | URL) -> str:
    """The database in words: the file for SQLite, the server and database for
    PostgreSQL (host and name, never credentials)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite database {parsed.database or ':memory:'}"
    host = parsed.host or "localhost"
    port = parsed.port or 5432
    return f"the database {parsed.database!r} on {host}:{port} ({redact(parsed)})"


def translate(error: BaseException, url: str | URL) -> BaseException:
    """A StorageError for `error` when it is about the database being usable;
    else `error` itself."""
    if isinstance(error, StorageError):
        return error
    at = where(url)
    if isinstance(error, socket.gaierror):
        return DatabaseUnavailable(f"cannot reach {at}: unknown host; check the URL or {SET_URL}")
    if isinstance(error, ConnectionRefusedError):
        return DatabaseUnavailable(
            f"cannot reach {at}: connection refused; is the server running? Otherwise {SET_URL}"
        )
    if isinstance(error, TimeoutError):
        return DatabaseUnavailable(f"cannot reach {at}: timed out; is the server up?")
    if isinstance(error, PoolTimeout):
        return DatabaseUnavailable(
            f"no connection to {at} came free in time: all were busy (slow queries, or "
            "pool_size too small for the load); nothing was written. See the URL options "
            "pool_size and pool_timeout"
        )
    if isinstance(error, OSError) and not isinstance(error, DBAPIError):
        return DatabaseUnavailable(f"cannot reach {at}: {error.strerror or error}; {SET_URL}")
    if (isinstance(error, DBAPIError) and error.connection_invalidated) or _driver_lost(error):
        return DatabaseUnavailable(f"lost the connection to {at}; is the server running?")
    sqlite_name = _sqlite_error_name(error)
    if sqlite_name is not None:
        return _translate_sqlite(error, sqlite_name, at)
    sqlstate = _sqlstate(error)
    if sqlstate is not None:
        return _translate_postgres(error, sqlstate, at, url)
    return error


def _driver_lost(error: BaseException) -> bool:
    # asyncpg's state machine, cut off mid-statement by a server that went away
    # (a restart sends its sessions a termination), says "cannot switch to state
    # N": the connection is gone, not the statement wrong.
    orig = error.orig if isinstance(error, DBAPIError) else error
    cause = getattr(orig, "__cause__", None)
    return isinstance(orig, asyncpg.exceptions.InternalClientError) or isinstance(
        cause, asyncpg.exceptions.InternalClientError
    )


def _sqlite_error_name(error: BaseException) -> str | None:
    orig = error.orig if isinstance(error, DBAPIError) else error
    name = getattr(orig, "sqlite_errorname", None)
    return name if isinstance(name, str) else None


def _sqlstate(error: BaseException) -> str | None:
    orig = error.orig if isinstance(error, DBAPIError) else error
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code if isinstance(code, str) else None


def _translate_sqlite(error: BaseException, name: str, at: str) -> BaseException:
    message = str(error.orig if isinstance(error, DBAPIError) else error)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return DatabaseBusy(f"{at} is locked by another writer; try again in a moment")
    if name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"):
        return Conflict(f"{at} refused a duplicate ({message}); nothing was written, try again")
    if name == "SQLITE_FULL":
        return DatabaseFull(f"{at} is full (no space left on its disk); nothing was written")
    if name.startswith("SQLITE_CANTOPEN"):
        return DatabaseUnavailable(
            f"cannot open {at}: check that its folder exists and is writable, or {SET_URL}"
        )
    if name.startswith("SQLITE_READONLY"):
        return DatabaseReadOnly(f"cannot write {at}: the file or its folder is read-only")
    if name == "SQLITE_NOTADB":
        return DatabaseUnavailable(f"{at} is not a SQLite database file; {SET_URL}")
    if name.startswith(("SQLITE_IOERR", "SQLITE_CORRUPT")):
        return StorageError(f"{at} cannot be read or written ({message}); check the disk")
    if name == "SQLITE_ERROR" and message.startswith(("no such table", "no such column")):
        return SchemaOutOfDate(f"{at} is not up to date ({message}); {UPGRADE}")
    return error


def _translate_postgres(
    error: BaseException, sqlstate: str, at: str, url: str | URL
) -> BaseException:
    if sqlstate in _PG_BUSY:
        return DatabaseBusy(f"{at} is busy (a concurrent change conflicted); try again in a moment")
    if sqlstate == _PG_UNIQUE:
        orig = error.orig if isinstance(error, DBAPIError) else error
        driver_error = getattr(orig, "__cause__", None) or orig
        constraint = getattr(driver_error, "constraint_name", None) or "a unique constraint"
        return Conflict(
            f"{at} refused a duplicate ({constraint}): a concurrent change wrote the same row; "
            "nothing was written, try again"
        )
    if sqlstate == _PG_CANCELLED:
        return DatabaseTimedOut(
            f"{at} cancelled a statement: it ran longer than its statement_timeout, or an "
            "administrator cancelled it; nothing was written. If it lasts, look for what "
            "holds locks or slows the database (pg_stat_activity)"
        )
    if sqlstate == _PG_LOCK_TIMEOUT:
        return DatabaseTimedOut(
            f"{at} gave up a statement that waited for a lock longer than its lock_timeout; "
            "nothing was written. If it lasts, look for what holds locks (pg_locks, "
            "pg_stat_activity)"
        )
    if sqlstate in _PG_FULL:
        return DatabaseFull(f"{at} is out of space; nothing was written")
    if sqlstate == _PG_READ_ONLY:
        return DatabaseReadOnly(
            f"{at} takes no writes (a standby, or default_transaction_read_only is on); "
            "nothing was written: point CONSULTBOT_DATABASE_URL at the primary, or make it "
            "writable again"
        )
    if sqlstate in _PG_UNAVAILABLE:
        return DatabaseUnavailable(f"lost or refused connection to {at}; is the server running?")
    if sqlstate == _PG_PREREQUISITE and "accepting connections" in str(error):
        name = make_url(url).database
        return DatabaseUnavailable(
            f"{at} takes no connections (ALLOW_CONNECTIONS is false: maintenance, or the "
            f"database is being dropped); nothing was written: ALTER DATABASE {name} "
            f"ALLOW_CONNECTIONS true, or {SET_URL}"
        )
    if sqlstate in _PG_AUTH:
        user = make_url(url).username or "(none)"
        return DatabaseUnavailable(
            f"cannot log in to {at} as user {user!r}; check the user and password in the URL "
            f"({SET_URL})"
        )
    if sqlstate == _PG_NO_DATABASE:
        name = make_url(url).database
        return DatabaseUnavailable(
            f"cannot open {at}: the database does not exist; create it "
            f"(createdb {name}) or {SET_URL}"
        )
    if sqlstate in (_PG_NO_TABLE, _PG_NO_COLUMN):
        return SchemaOutOfDate(f"{at} is not up to date; {UPGRADE}")
    return error


def as_dbapi_error(
    error: Exception, statement: str, dialect: Dialect, *, lost: bool = False
) -> BaseException:
    """An error of the driver (sqlite3, asyncpg) from a statement run on it
    directly, as SQLAlchemy would have raised it, so that `translate` reads it
    alike (storage.prepared, storage.write_batch, storage.pg_transaction).
    `lost`: the connection is gone (asyncpg says only "connection is closed")."""
    return DBAPIError.instance(
        statement,
        None,
        error,
        type(error),
        hide_parameters=True,
        dialect=dialect,
        connection_invalidated=lost,
    )
