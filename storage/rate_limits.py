"""Rate limits shared by every process and machine of a deployment, on PostgreSQL.

Each limit is a GCRA (generic cell rate algorithm, the token bucket written
as one timestamp): a request is due no earlier than `due_at`; it is let through
when `due_at` is at most `tolerance` ahead of now, and moves `due_at` on by
`interval` (one request's share of the rate); `tolerance` is what a burst may
run ahead. One statement per check, an INSERT ... ON CONFLICT DO UPDATE
... RETURNING sent on asyncpg outside any transaction (one round trip): concurrent checks
of one key queue on its row lock, so two processes never let through more than
the deployment's limit. The database's clock decides, so the machines' clocks
need not agree.

A row whose `due_at` is past is a full allowance, the same as no row: `prune`
deletes those. SQLite needs none of this: one process serves it
(`serve --workers` > 1 is refused there), and it keeps its limits in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints

from storage.database import Database
from storage.diagnosis import as_dbapi_error, translate, where
from storage.errors import DatabaseUnavailable
from storage.models import RateLimitRow, table

_t = table(RateLimitRow)
# In ON CONFLICT DO UPDATE every SET expression reads the row as it was; RETURNING
# reads it as it is now. now() is the statement's start: it runs alone.
# $1 key, $2 interval, $3 tolerance (asyncpg's parameters: run on the driver).
_TAKE = f"""
    INSERT INTO {_t.name} AS r (key, due_at, granted)
    VALUES ($1, now() + $2::interval, true)
    ON CONFLICT (key) DO UPDATE SET
      granted = GREATEST(r.due_at, now()) <= now() + $3::interval,
      due_at = CASE
        WHEN GREATEST(r.due_at, now()) <= now() + $3::interval
        THEN GREATEST(r.due_at, now()) + $2::interval
        ELSE r.due_at
      END
    RETURNING granted, EXTRACT(EPOCH FROM r.due_at - now() - $3::interval)::float8
"""
_PRUNE = f"DELETE FROM {_t.name} WHERE due_at < now()"


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether the request may go; if not, in how many seconds one may."""

    granted: bool
    wait_s: float


async def take(
    database: Database, key: str, *, interval: dt.timedelta, tolerance: dt.timedelta
) -> Decision:
    """Count one request against the limit named `key` (at most 128 characters).
    Raises StorageError if the database fails (nothing counted)."""
    row = await _run(database, _TAKE, key, interval, tolerance)
    assert row is not None
    granted, ahead = row
    return Decision(bool(granted), 0.0 if granted else max(0.0, float(ahead)))


async def prune(database: Database) -> None:
    """Forget the limits whose allowance is full again (no row means the same)."""
    await _run(database, _PRUNE)


async def _run(database: Database, sql: str, *arguments: object) -> Any:
    # On the pooled connection's asyncpg driver, outside any transaction: the
    # statement is its own (no BEGIN and COMMIT round trips), prepared once per
    # connection, and SQLAlchemy's per-execution work is skipped: a check is
    # one round trip and little Python, on every API request.
    url = database.engine.url
    try:
        async with database.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert isinstance(driver, asyncpg.Connection)
            try:
                return await driver.fetchrow(sql, *arguments)
            except asyncpg.PostgresError as error:
                raise as_dbapi_error(error, sql, database.engine.dialect) from error
    except (asyncpg.InterfaceError, ConnectionError) as error:  # e.g. the server restarted
        raise DatabaseUnavailable(f"lost the connection to {where(url)}: {error}") from error
    except Exception as error:
        translated = translate(error, url)
        if translated is error:
            raise
        raise translated from error
