"""Another connection holding what a write needs, as long as a block runs: a
test's stand-in for a job or an operator's shell holding a lock."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from sqlalchemy.engine import make_url

from tests.conftest import admin_connection


@contextmanager
def sqlite_write_lock(database_url: str) -> Iterator[None]:
    """Another process's writer holding SQLite's write lock (an operator's
    `sqlite3` shell in `BEGIN IMMEDIATE`)."""
    holder = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@asynccontextmanager
async def probe_row_locked(database_url: str) -> AsyncIterator[None]:
    """A job holding the table the readiness probe writes, as long as the block runs."""
    if not database_url.startswith("postgresql"):
        with sqlite_write_lock(database_url):
            yield
        return
    holder = await admin_connection(database_url)
    try:
        await holder.execute("BEGIN; LOCK TABLE readiness_probe IN EXCLUSIVE MODE")
        yield
    finally:
        await holder.close()
