"""Notifications between the processes that share one PostgreSQL database
(LISTEN/NOTIFY), e.g. "team message 42 is waiting" reaching the process that
holds the resident's open web chat.

    await notify(session, "consultbot_team", "q:42")   # sent when the transaction commits
    listener = await Listener.start(database, "consultbot_team", on_payload)
    ...
    await listener.close()

Payloads are short identifiers, never content: anyone allowed to connect to the
database may LISTEN. A listener holds one connection of its own, outside the
pool, and reconnects when it is lost; what was notified meanwhile is missed, so
a notification may only speed up what the readers of the tables do anyway.
SQLite has one process: `notify` does nothing there and there is no listener.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Database
from storage.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

RECONNECT_MAX_S = 30.0


async def notify(session: AsyncSession, channel: str, payload: str) -> None:
    """Send `payload` to the listeners of `channel` when the transaction commits
    (PostgreSQL); nothing on SQLite."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_notify(:channel, :payload)"), {"channel": channel, "payload": payload}
        )


class Listener:
    """LISTEN on one channel of a PostgreSQL database; `on_payload` is called on
    the event loop with each payload."""

    def __init__(self, database: Database, channel: str, on_payload: Callable[[str], None]) -> None:
        if database.backend != "postgresql":
            raise ValueError("notifications need PostgreSQL")
        self._url = database.engine.url
        self._channel = channel
        self._on_payload = on_payload
        self._connection: Any = None  # asyncpg.Connection
        self._reconnecting: asyncio.Task[None] | None = None
        self._closed = False

    @classmethod
    async def start(
        cls, database: Database, channel: str, on_payload: Callable[[str], None]
    ) -> Listener:
        """Listening once this returns; DatabaseUnavailable if it cannot connect."""
        listener = cls(database, channel, on_payload)
        try:
            await listener._connect()
        except Exception as error:
            raise DatabaseUnavailable(
                f"cannot listen for notifications on {database.url}: {error}"
            ) from None
        return listener

    async def close(self) -> None:
        self._closed = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnecting
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close(timeout=5)
            self._connection = None

    async def _connect(self) -> None:
        import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints

        url = self._url
        connection = await asyncpg.connect(
            user=url.username,
            password=url.password,
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            database=url.database,
            timeout=10,
        )
        try:
            await connection.add_listener(self._channel, self._received)
        except BaseException:  # lost or cancelled (a stop) meanwhile: not left to the GC
            connection.terminate()
            raise
        connection.add_termination_listener(self._lost)
        self._connection = connection

    def _received(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        try:
            self._on_payload(payload)
        except Exception:
            log.exception("notifications: handling a %s notification failed", channel)

    def _lost(self, connection: Any) -> None:
        if self._closed or connection is not self._connection:
            return
        log.warning("notifications: the listening connection was lost; reconnecting")
        self._connection = None
        self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        wait = 0.5
        while not self._closed:
            try:
                await self._connect()
            except Exception as error:
                log.warning("notifications: cannot reconnect (%s); again in %.0f s", error, wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, RECONNECT_MAX_S)
            else:
                log.info("notifications: listening again")
                return
