"""Connections handed from one resident's message to the next one waiting
(storage.connection_handoff), on a real PostgreSQL with one connection in the
pool: whoever waits is served in turn, and a message that stops waiting (its
task cancelled, or the pool's timeout) neither loses the place nor keeps it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from storage import participants
from storage.connection_handoff import Handoff
from storage.database import Database
from storage.engines import SQLITE_BUSY_TIMEOUT, for_messages, open_engine, parse_url
from storage.errors import DatabaseUnavailable
from storage.participants import Participant
from tests.storage.seeding import NOW
from tests.storage.test_database import ONLY_POSTGRESQL, _terminate_other_connections

pytestmark = ONLY_POSTGRESQL


@contextlib.asynccontextmanager
async def _over(engine: AsyncEngine, size: int) -> AsyncIterator[Handoff]:
    greenlet = AsyncSession(engine)  # never connects: only runs work in the greenlet

    async def in_greenlet(work: Callable[[], None]) -> None:
        await greenlet.run_sync(lambda _: work())

    try:
        yield Handoff(engine, in_greenlet, size)
    finally:
        await greenlet.close()
        await engine.dispose()


@pytest.fixture
async def handoff(database_url: str) -> AsyncIterator[Handoff]:
    """A handoff over consultbot's pool, one connection for messages."""
    engine, _ = open_engine(parse_url(database_url), 1, SQLITE_BUSY_TIMEOUT)
    async with _over(engine, for_messages(engine)) as handoff:
        yield handoff


async def _answers(raw: Any) -> int:
    return int(await raw.driver_connection.fetchval("SELECT 1"))


async def _waiting_for(handoff: Handoff, served: list[str], name: str) -> None:
    raw = await handoff.take()
    served.append(name)
    assert await _answers(raw) == 1
    await handoff.give_back(raw)


async def _started(*coroutines: Any) -> list[asyncio.Task[Any]]:
    """Tasks started in this order, each waiting by the time the next starts."""
    tasks = []
    for coroutine in coroutines:
        tasks.append(asyncio.create_task(coroutine))
        await asyncio.sleep(0)  # it runs until it waits: nothing else is ready
    return tasks


async def test_messages_waiting_are_given_the_connection_in_turn(handoff: Handoff):
    first = await handoff.take()
    served: list[str] = []
    tasks = await _started(*(_waiting_for(handoff, served, name) for name in "abc"))
    assert served == []  # all three wait for the one connection
    await handoff.give_back(first)
    await asyncio.gather(*tasks)
    assert served == ["a", "b", "c"]
    again = await handoff.take()  # back in the pool, taken as before
    assert await _answers(again) == 1
    await handoff.give_back(again)


async def test_a_message_no_longer_waiting_leaves_its_turn_to_the_next(handoff: Handoff):
    first = await handoff.take()
    served: list[str] = []
    gone, stays = await _started(
        _waiting_for(handoff, served, "gone"), _waiting_for(handoff, served, "stays")
    )
    gone.cancel()  # e.g. the resident's request was dropped
    await asyncio.sleep(0)
    await handoff.give_back(first)
    await stays
    assert served == ["stays"]
    with pytest.raises(asyncio.CancelledError):
        await gone


async def test_a_message_cancelled_once_handed_the_connection_passes_it_on(handoff: Handoff):
    first = await handoff.take()
    served: list[str] = []
    handed, next_one = await _started(
        _waiting_for(handoff, served, "handed"), _waiting_for(handoff, served, "next")
    )
    await handoff.give_back(first)  # to "handed", which has not run since
    handed.cancel()
    await next_one
    assert served == ["next"]


async def test_waiting_longer_than_the_pools_timeout_fails_and_frees_nothing_taken(
    database_url: str,
):
    engine = create_async_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    async with _over(engine, 1) as handoff:
        first = await handoff.take()
        with pytest.raises(PoolTimeout, match="timed out"):
            await handoff.take()
        await handoff.give_back(first)
        again = await handoff.take()  # the place is free, not lost to the one that gave up
        await handoff.give_back(again)


async def test_a_connection_the_server_closed_is_not_handed_over(handoff: Handoff):
    first = await handoff.take()
    served: list[str] = []
    (waiting,) = await _started(_waiting_for(handoff, served, "next"))
    first.driver_connection.terminate()  # as a server restart leaves it
    await handoff.give_back(first)
    await waiting  # it got a connection of its own from the pool, which answers
    assert served == ["next"]


async def test_other_work_gets_a_connection_while_messages_keep_theirs_busy(database_url: str):
    """The console, the API and the feeds are not starved by residents'
    messages handing their connections on (storage.engines.FOR_THE_REST)."""
    db = await Database.connect(database_url, pool_size=1)
    holding, release = asyncio.Event(), asyncio.Event()

    async def message() -> None:
        async with db.transaction(optimistic=True):
            holding.set()
            await release.wait()

    try:
        messages = [asyncio.create_task(message()) for _ in range(3)]  # one holds, two wait
        await holding.wait()
        async with db.read() as s:  # at once, not once the messages are done
            assert await s.scalar(text("SELECT 1")) == 1
        async with db.transaction() as s:
            assert await s.scalar(text("SELECT 1")) == 1
        release.set()
        await asyncio.gather(*messages)
    finally:
        await db.close()


async def test_after_a_postgresql_restart_messages_find_new_connections(database_url: str):
    db = await Database.connect(database_url, pool_size=2)

    async def a_message() -> Participant | None:
        async with db.transaction(optimistic=True) as s:
            return await participants.find(s, "web", "ab" * 32)

    try:
        async with db.transaction() as s:
            await participants.get_or_create(s, "web", "ab" * 32, now=NOW)
        assert await asyncio.gather(a_message(), a_message(), a_message())  # handed on
        await _terminate_other_connections(database_url)  # as a server restart would
        # A connection closed by the server is known closed once its end has
        # reached this process: until then a message on it fails, writing
        # nothing (the resident is asked to send it again). Its connection is
        # not handed to a message waiting, which takes a new one.
        outcomes = await asyncio.gather(*(a_message() for _ in range(6)), return_exceptions=True)
        failed = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        assert all(isinstance(error, DatabaseUnavailable) for error in failed), failed
        assert len(failed) <= 2  # at most the connections it had
        found = await asyncio.gather(*(a_message() for _ in range(6)))
        assert all(participant is not None for participant in found)
    finally:
        await db.close()
