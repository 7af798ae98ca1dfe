"""A PostgreSQL transaction begun and committed on its asyncpg connection.

SQLAlchemy's asyncpg adapter begins a transaction lazily, with the first
statement run through SQLAlchemy; then the first statement of every message
took SQLAlchemy's execution path, and its COMMIT SQLAlchemy's: a third of the
storage work's CPU (bench/storage_hot_path.py, 2026-12-05: 943–1,010 µs a
message before, 681–685 µs after).
Here the session's connection is put in autocommit mode for SQLAlchemy (it
sends no BEGIN or COMMIT of its own) and the transaction is asyncpg's, begun at
once: every statement, SQLAlchemy's own included, runs inside it on the same
connection, and the prepared statements of the per-message path
(storage.prepared) go to asyncpg from the first.

A resident's message (`on_connection_alone`) goes further: nothing is begun
until the work needs it (`Batch.begin`), so a message that reads its session
and writes it back in one statement needs no BEGIN and no COMMIT
(storage.write_batch, storage.message_open); and its session never gets a
connection of SQLAlchemy's, only one from the pool for storage.prepared's
statements.

Public APIs only: `AsyncSession.connection(execution_options=...)`,
`AsyncConnection.get_raw_connection()`, `AsyncEngine.raw_connection()`,
`AsyncSession.run_sync()`, asyncpg's `Connection.transaction()`. The
connection goes back to the pool with its isolation level reset by SQLAlchemy
(no statement: the adapter only notes it).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
from sqlalchemy import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from storage.connection_handoff import Handoff
from storage.diagnosis import as_dbapi_error
from storage.prepared import BATCH, POSTGRESQL_DIALECT
from storage.write_batch import DRIVER_ERRORS, Batch

_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}  # for SQLAlchemy: asyncpg's transaction rules


@contextlib.asynccontextmanager
async def transaction(session: AsyncSession, dialect: Dialect) -> AsyncIterator[None]:
    """The session's unit of work as one asyncpg transaction: committed when the
    block ends (the ORM's pending changes and the held writes sent first),
    rolled back if it raises."""
    connection = await session.connection(execution_options=_AUTOCOMMIT)
    driver = (await connection.get_raw_connection()).driver_connection
    # Held from here: once a cancellation cut a statement of SQLAlchemy's, the
    # connection is invalidated and reading its `info` raises
    # PendingRollbackError, which would hide the cancellation.
    info = connection.info
    try:
        async with _on_driver(session, driver, dialect, optimistic=False) as batch:
            info[BATCH] = batch  # for SQLAlchemy's own statements (storage.engines)
            yield
    finally:
        info.pop(BATCH, None)


@contextlib.asynccontextmanager
async def on_connection_alone(
    connections: Handoff, session: AsyncSession, dialect: Dialect
) -> AsyncIterator[None]:
    """A transaction begun only when the work needs it (above), for a session
    that has no connection of SQLAlchemy's, and can get none (its bind refuses to
    connect: storage.engines.refusing_engine), on a connection of the pool that
    only storage.prepared's statements use. A resident's message runs only
    those; anything else raises TransactionNeeded, and is done again in a
    transaction of SQLAlchemy's. SQLAlchemy's session and connection around
    the work were a fifth of its CPU: bench/storage_hot_path.py on PostgreSQL,
    2026-12-06, 746-766 µs a message with them, 585-589 µs without;
    bench/load.py's server, 1.40-1.47 ms a message with, 1.17 without. The
    connection is taken from, and given back to, `connections`: under load,
    straight to the next message waiting (storage.connection_handoff)."""
    raw = await connections.take()
    try:
        async with _on_driver(session, raw.driver_connection, dialect, optimistic=True):
            yield
    finally:
        await connections.give_back(raw)


@contextlib.asynccontextmanager
async def _on_driver(
    session: AsyncSession, driver: Any, dialect: Dialect, *, optimistic: bool
) -> AsyncIterator[Batch]:
    assert isinstance(driver, asyncpg.Connection)
    batch = Batch(driver, dialect)
    session.info[POSTGRESQL_DIALECT] = dialect
    session.info[BATCH] = batch
    underway = driver.transaction()

    async def begin() -> None:
        batch.begin = None
        await _run(underway.start(), "BEGIN", driver, dialect)

    try:
        try:
            if optimistic:
                batch.begin = begin
            else:
                await begin()
            yield batch
            if session.new or session.dirty or session.deleted:
                await session.flush()
            if not batch.begun:
                await batch.send_alone()  # its own transaction
                return
            await batch.send()
            await _run(underway.commit(), "COMMIT", driver, dialect)
        except BaseException:  # cancellation included: the connection is left clean or closed
            batch.discard()
            await _roll_back(underway, driver)
            raise
    finally:
        session.info.pop(BATCH, None)


async def _run(step: Awaitable[Any], statement: str, driver: Any, dialect: Dialect) -> None:
    # A failed BEGIN or COMMIT as SQLAlchemy would have raised it, for
    # storage.diagnosis.translate.
    try:
        await step
    except DRIVER_ERRORS as error:
        lost = driver.is_closed()
        raise as_dbapi_error(error, statement, dialect, lost=lost) from error


async def _roll_back(underway: Any, driver: Any) -> None:
    """Roll back after an error or a cancellation. A connection that cannot
    (a statement still running, the task cancelled again meanwhile) is
    closed: the pool replaces a closed one at its next checkout
    (storage.engines), as it does one the server closed. The error that ended
    the transaction is the one to tell, not this one."""
    try:
        if not driver.is_closed() and driver.is_in_transaction():
            with contextlib.suppress(Exception):
                await underway.rollback()
    finally:
        if not driver.is_closed() and driver.is_in_transaction():
            driver.terminate()
