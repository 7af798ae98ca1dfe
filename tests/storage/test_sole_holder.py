"""Work one process of the deployment does at a time (storage.sole_holder):
two holders of one key in one process stand for two processes, each with its
own connection, as two `serve` processes would be."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from storage.database import Database
from storage.sole_holder import FOLLOW_UP_SENDING, TELEGRAM_POLLING, SoleHolder
from tests.storage.test_database import ONLY_POSTGRESQL, _terminate_other_connections

ONLY_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@ONLY_SQLITE
async def test_on_sqlite_the_one_process_always_holds(database: Database):
    first, second = SoleHolder(database, TELEGRAM_POLLING), SoleHolder(database, TELEGRAM_POLLING)
    assert await first.held()
    assert await second.held()


@ONLY_POSTGRESQL
async def test_one_holder_at_a_time_and_the_next_takes_over_when_it_lets_go(database: Database):
    first, second = SoleHolder(database, TELEGRAM_POLLING), SoleHolder(database, TELEGRAM_POLLING)
    try:
        assert await first.held()
        assert not await second.held()  # stands by
        assert await first.held()  # asked again before each unit of work: still its own
        await first.release()
        assert await second.held()
        assert not await first.held()
        # The released lock's connection went back to the pool: what runs on it
        # next holds nothing.
        async with database.transaction() as session:
            await session.execute(text("SELECT 1"))
        await second.release()
        assert await first.held()
    finally:
        await first.release()
        await second.release()


@ONLY_POSTGRESQL
async def test_each_kind_of_work_has_its_own_holder(database: Database):
    polling, sending = (
        SoleHolder(database, TELEGRAM_POLLING),
        SoleHolder(database, FOLLOW_UP_SENDING),
    )
    try:
        assert await polling.held()
        assert await sending.held()
    finally:
        await polling.release()
        await sending.release()


@ONLY_POSTGRESQL
async def test_a_holder_whose_connection_was_lost_asks_again_and_may_take_it_back(
    database: Database, database_url: str
):
    first, second = SoleHolder(database, TELEGRAM_POLLING), SoleHolder(database, TELEGRAM_POLLING)
    try:
        assert await first.held()
        await _terminate_other_connections(database_url)  # as a database restart would
        # The lock went with the connection: whoever asks first has it now (once
        # the pool has found its own cut connections: a poller asks every few seconds).
        assert await _taken_within_tries(second)
        assert not await first.held()
    finally:
        await first.release()
        await second.release()


async def _taken_within_tries(holder: SoleHolder, tries: int = 20) -> bool:
    for _ in range(tries):
        if await holder.held():
            return True
        await asyncio.sleep(0.1)
    return False
