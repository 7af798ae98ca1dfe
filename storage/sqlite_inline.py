"""SQLite on the event loop's own thread, behind aiosqlite's interface.

aiosqlite runs every call in a worker thread: each statement costs two thread
hops, which dwarf what SQLite itself spends (a few microseconds for the indexed
statements of the per-message path). SQLAlchemy's aiosqlite dialect only needs
aiosqlite's interface, so `connect` returns an object with that interface whose
coroutines call sqlite3 directly and complete at once.

The one call that could block for long is taking the write lock while another
process holds it: `begin_immediate` retries with a non-blocking `asyncio.sleep`
instead of SQLite's sleeping busy handler (busy_timeout stays 0 here). Once a
transaction holds the write lock, its statements (WAL mode) never wait on
another connection.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any


class InlineCursor:
    """aiosqlite.Cursor's interface over a sqlite3 cursor."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid


class InlineConnection:
    """aiosqlite.Connection's interface over a sqlite3 connection in autocommit
    mode (isolation_level None: transactions are begun explicitly)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection

    @property
    def sqlite3(self) -> sqlite3.Connection:
        """The sqlite3 connection itself (storage.prepared runs statements on it)."""
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    async def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        return InlineCursor(self._conn.execute(sql, parameters))

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    def stop(self) -> None:
        self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def begin_immediate(self, patience: float) -> None:
        """BEGIN IMMEDIATE, waiting up to `patience` seconds for another
        process's write lock without blocking the event loop."""
        deadline = time.monotonic() + patience
        delay = 0.001
        while True:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                busy = getattr(error, "sqlite_errorname", "").startswith("SQLITE_BUSY")
                if not busy or time.monotonic() + delay > deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)


def connect(path: str) -> InlineConnection:
    # check_same_thread off: the pool may close a connection from the garbage
    # collector's thread; every use happens on the event loop's thread.
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout = 0")
    return InlineConnection(connection)
