"""Notifications between the processes of one PostgreSQL database
(storage.notifications), over real LISTEN/NOTIFY connections."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from storage.database import Database
from storage.errors import DatabaseUnavailable
from storage.notifications import Listener, notify
from tests.storage.test_database import ONLY_POSTGRESQL, _terminate_other_connections

ONLY_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

CHANNEL = "consultbot_test"


async def _received(payloads: asyncio.Queue[str]) -> str:
    return await asyncio.wait_for(payloads.get(), 10)


@ONLY_POSTGRESQL
async def test_a_payload_reaches_the_listener_when_the_transaction_commits(database: Database):
    payloads: asyncio.Queue[str] = asyncio.Queue()
    listener = await Listener.start(database, CHANNEL, payloads.put_nowait)
    try:
        async with database.transaction() as session:
            await notify(session, CHANNEL, "q:42")
        assert await _received(payloads) == "q:42"
    finally:
        await listener.close()


@ONLY_POSTGRESQL
async def test_nothing_is_sent_by_a_transaction_rolled_back(database: Database):
    payloads: asyncio.Queue[str] = asyncio.Queue()
    listener = await Listener.start(database, CHANNEL, payloads.put_nowait)
    try:
        with contextlib.suppress(RuntimeError):
            async with database.transaction() as session:
                await notify(session, CHANNEL, "q:rolled-back")
                raise RuntimeError("rolled back")
        async with database.transaction() as session:
            await notify(session, CHANNEL, "q:after")
        assert await _received(payloads) == "q:after"  # the first never came
    finally:
        await listener.close()


@ONLY_POSTGRESQL
async def test_a_lost_connection_is_replaced_and_listening_goes_on(
    database: Database, database_url: str
):
    payloads: asyncio.Queue[str] = asyncio.Queue()
    listener = await Listener.start(database, CHANNEL, payloads.put_nowait)
    try:
        await _terminate_other_connections(database_url)  # as a database restart would
        # What is notified while it reconnects is missed (by design): keep
        # notifying until one arrives. The pool's own connections were cut too:
        # a transaction may find one lost first (no ping per transaction).
        for attempt in range(100):
            with contextlib.suppress(DatabaseUnavailable):
                async with database.transaction() as session:
                    await notify(session, CHANNEL, f"q:{attempt}")
            try:
                assert (await asyncio.wait_for(payloads.get(), 0.2)).startswith("q:")
                break
            except TimeoutError:
                continue
        else:
            pytest.fail("no notification arrived after the connection was lost")
    finally:
        await listener.close()


@ONLY_SQLITE
async def test_sqlite_has_no_listener_and_notify_does_nothing(database: Database):
    with pytest.raises(ValueError, match="PostgreSQL"):
        await Listener.start(database, CHANNEL, print)
    async with database.transaction() as session:
        await notify(session, CHANNEL, "q:1")  # nothing to send it to, and no error


@ONLY_POSTGRESQL
async def test_a_database_that_cannot_be_reached_is_said_so(database: Database):
    # The same database on a port where nothing listens (the engine connects lazily).
    elsewhere = Database(create_async_engine(database.engine.url.set(port=1)), None)
    try:
        with pytest.raises(DatabaseUnavailable, match="cannot listen for notifications"):
            await Listener.start(elsewhere, CHANNEL, print)
    finally:
        await elsewhere.engine.dispose()
