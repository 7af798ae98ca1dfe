"""Writers made to overlap for sure, without sleeping to widen a window: the
first holds its transaction open until the others are seen waiting for it.

On PostgreSQL a waiting writer is a backend waiting for a lock
(pg_stat_activity); on SQLite it is a connection trying to BEGIN IMMEDIATE
while the first holds the write lock (counted by a spy around the real call).
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest
from sqlalchemy import text

from storage import sqlite_inline
from storage.database import Database

T = TypeVar("T")
PATIENCE_S = 60.0  # a bound for a broken test, not a timing assumption


class Contention:
    def __init__(self, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        self._database = database  # not used inside a writer's transaction
        self._begins = 0
        self._baseline = 0
        if database.backend == "sqlite":
            real = sqlite_inline.InlineConnection.begin_immediate

            async def counted(connection: Any, patience: float) -> None:
                self._begins += 1
                await real(connection, patience)

            monkeypatch.setattr(sqlite_inline.InlineConnection, "begin_immediate", counted)

    def start(self, writer: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Start another writer, as another process would: outside the caller's
        transaction (a task would otherwise inherit it)."""
        return asyncio.create_task(writer, context=contextvars.Context())

    def holding(self) -> None:
        """Called by the first writer once it holds its locks."""
        self._baseline = self._begins

    async def until_waiting(self, count: int) -> None:
        """Return once `count` other writers wait for the first one's locks."""
        deadline = time.monotonic() + PATIENCE_S
        while await self._waiting() < count:
            assert time.monotonic() < deadline, f"fewer than {count} writers ever waited"
            await asyncio.sleep(0.001)  # poll a condition; the outcome does not depend on it

    async def _waiting(self) -> int:
        if self._database.backend == "sqlite":
            return self._begins - self._baseline
        async with self._database.engine.connect() as connection:
            found = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        return int(found or 0)
