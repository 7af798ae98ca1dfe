"""PostgreSQL connections for residents' messages, handed from one message
straight to the next one waiting.

Under load every pooled connection is in use and messages wait for one. In
SQLAlchemy's pool each wait is a task of its own (`asyncio.wait_for`, for the
pool's timeout), and each checkout and checkin a greenlet of its own. Here a
message that is done with its connection gives it to the first message
waiting, if any, in the order they came (a future each, and a timer for the
timeout); otherwise it goes back to SQLAlchemy's pool, where any work may take
it. bench/load.py on PostgreSQL (50 residents, 10 connections, 2026-12-06,
three runs each in turn): the server's CPU 0.63-0.66 ms a message against
0.74-0.79 through the pool, p99 65-70 ms against 119-129. Opening, checking
(`storage.engines`: a connection the server closed, or idle a while) and
closing connections stay SQLAlchemy's; a connection the server closed under a
message is not handed over but given back to the pool, which replaces it, and
the message waiting takes its own from the pool.

At most `size` connections are held by messages at once (the URL's
`pool_size`); the pool keeps a few more for everything else
(storage.engines.FOR_THE_REST), which messages handing connections on would
otherwise starve. A message waiting here waits for one of the `size`, and for
as long as it would in the pool (the pool's timeout, then SQLAlchemy's
TimeoutError).

    handoff = Handoff(engine, in_greenlet, size)  # in_greenlet(fn): fn in SQLAlchemy's greenlet
    raw = await handoff.take()              # a PoolProxiedConnection
    ...
    await handoff.give_back(raw)
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

# What a waiting message is given when a place is free but no connection to
# hand over: it takes one from the pool itself.
_FREE = None


class Handoff:
    def __init__(
        self,
        engine: AsyncEngine,
        in_greenlet: Callable[[Callable[[], None]], Awaitable[None]],
        size: int,
    ) -> None:
        self._engine = engine
        # A connection goes back to the pool in SQLAlchemy's greenlet: one the
        # server closed is closed there, which may wait for the driver.
        self._in_greenlet = in_greenlet
        pool = engine.sync_engine.pool
        assert isinstance(pool, QueuePool), "a PostgreSQL engine has a queue pool"
        self._size = size
        self._timeout = pool.timeout()
        self._held = 0  # by messages, handed over or not
        self._waiting: deque[asyncio.Future[Any]] = deque()

    async def take(self) -> Any:
        """A connection of the pool (SQLAlchemy's PoolProxiedConnection), once
        one of the `size` places is free."""
        if self._held < self._size and not self._waiting:
            self._held += 1
            return await self._from_pool()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._waiting.append(future)
        timer = loop.call_later(self._timeout, self._expire, future)
        try:
            given = await future
        except BaseException:
            if future in self._waiting:  # timed out, or cancelled while waiting
                self._waiting.remove(future)
            elif not future.cancelled() and future.exception() is None:
                await self._pass_on(future.result())  # cancelled once given its turn
            raise
        finally:
            timer.cancel()
        return await self._from_pool() if given is _FREE else given

    async def give_back(self, raw: Any) -> None:
        """`raw` is no longer used by its message: to the first message
        waiting, or back to the pool."""
        driver = raw.driver_connection
        if driver is not None and not driver.is_closed() and self._hand_over(raw):
            return
        self._held -= 1
        try:
            await self._in_greenlet(raw.close)
        finally:
            self._free_a_place()

    async def _from_pool(self) -> Any:
        # Its place is counted in _held already.
        try:
            return await self._engine.raw_connection()
        except BaseException:
            self._held -= 1
            self._free_a_place()
            raise

    def _hand_over(self, raw: Any) -> bool:
        waiting = self._next_waiting()
        if waiting is None:
            return False
        waiting.set_result(raw)
        return True

    def _free_a_place(self) -> None:
        # A place was freed without a connection to hand over: the first
        # message waiting takes it, and a connection from the pool itself.
        if self._held < self._size:
            waiting = self._next_waiting()
            if waiting is not None:
                self._held += 1
                waiting.set_result(_FREE)

    def _next_waiting(self) -> asyncio.Future[Any] | None:
        # One timed out or cancelled is still here until its task runs: skipped.
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                return future
        return None

    async def _pass_on(self, given: Any) -> None:
        # A message cancelled once handed a connection or a free place.
        if given is _FREE:
            self._held -= 1
            self._free_a_place()
        else:
            await self.give_back(given)

    def _expire(self, future: asyncio.Future[Any]) -> None:
        if not future.done():
            future.set_exception(
                PoolTimeout(
                    f"QueuePool limit of size {self._size} overflow 0 reached, "
                    f"connection timed out, timeout {self._timeout:.2f}"
                )
            )
