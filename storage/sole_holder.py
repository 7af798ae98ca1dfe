"""Work that one process of the deployment does at a time, whatever the number
of processes and machines: polling Telegram (two pollers of one bot make
Telegram refuse both in turn with 409), resuming follow-ups at start (two
senders would each keep to Telegram's pace, together exceed it).

On PostgreSQL, a session-level advisory lock on a connection of its own: the
process that takes it holds it as long as that connection lives; when the
process dies (even by SIGKILL) PostgreSQL closes the connection and the lock is
free, and the next process to ask takes it. The connection is in autocommit, so
it holds no transaction (nor a snapshot that would keep VACUUM from its work)
while it waits. On SQLite, one process uses the database: it always holds.

    polling = SoleHolder(database, TELEGRAM_POLLING)
    if await polling.held():   # asked before each unit of work; False: stand by
        ...
    await polling.release()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database

log = logging.getLogger(__name__)

# Advisory lock keys (64-bit), one per kind of sole work.
TELEGRAM_POLLING = 0x636F6E7374656C  # "constel"
FOLLOW_UP_SENDING = 0x636F6E7366757  # "consfu": resuming follow-ups at start


class SoleHolder:
    """Whether this process is the one doing the work of `key`."""

    def __init__(self, database: Database, key: int) -> None:
        self._database = database
        self._key = key
        self._connection: AsyncConnection | None = None

    async def held(self) -> bool:
        """True if this process holds the lock now, taking it if it is free. A
        holder whose connection was lost (a database restart) holds it no more
        (another process may have it by now): it is asked for again."""
        if self._database.backend != "postgresql":
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                return True
            except Exception:
                log.warning("the connection holding lock %x was lost", self._key)
                await self.release()
        return await self._take()

    async def release(self) -> None:
        """Let the lock go: another process may take it. Unlocked, not only
        closed: closing gives the connection back to the pool, and a session's
        advisory lock stays with its connection."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            await connection.scalar(select(func.pg_advisory_unlock(self._key)))
        except Exception:  # already lost (the lock went with it), or unsure: not pooled again
            log.debug("unlocking lock %x failed; its connection is discarded", self._key)
            with contextlib.suppress(Exception):
                await connection.invalidate()
        with contextlib.suppress(Exception):
            await connection.close()

    async def _take(self) -> bool:
        try:
            connection = await self._database.engine.connect()
        except Exception:
            return False  # the database is away: not ours, ask again later
        try:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            taken = await connection.scalar(select(func.pg_try_advisory_lock(self._key)))
        except Exception:
            taken = False
        except BaseException:  # cancelled (a stop): closed here, not by the garbage collector
            await asyncio.shield(connection.close())
            raise
        if not taken:
            await connection.close()
            return False
        self._connection = connection
        return True
