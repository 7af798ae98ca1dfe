"""Group commit on SQLite: the transactions queued at one moment share one commit.

SQLite writes one transaction at a time, so this process's transactions queue
on an asyncio lock anyway. Committing each on its own costs a write of every
page it touched to the log, plus SQLAlchemy's begin and commit; when fifty
residents write at once, most of that is the same pages again and again. Here
each transaction runs inside a SAVEPOINT of an open batch; the batch commits
once every transaction that was waiting when it opened has run, and only then
does each of them return: a caller still sees its transaction committed when
the `async with` ends, or gets the error if the commit failed.

A transaction that raises is rolled back to its savepoint alone; the others of
its batch are unaffected. If SQLite had to abandon the whole batch (disk full,
I/O error), every transaction of it fails and nothing of it is kept.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.errors import StorageError


@dataclass(eq=False)
class _Batch:
    session: AsyncSession
    connection: sqlite3.Connection
    committed: asyncio.Future[None]
    transactions: int = 0
    done: bool = False


class GroupCommit:
    """`transaction()` for one SQLite database, from one event loop."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        begin: Callable[[AsyncSession], Awaitable[sqlite3.Connection]],
        translate: Callable[[BaseException], BaseException],
        committed: Callable[[int], None],
    ) -> None:
        self._sessions = sessions
        self._begin = begin  # begins the session's transaction; its sqlite3 connection
        self._translate = translate  # a driver error as the StorageError callers expect
        self._on_commit = committed  # told how many transactions each commit carried
        self._lock = asyncio.Lock()
        self._batch: _Batch | None = None
        self._flushes: set[asyncio.Task[None]] = set()

    def transaction(self) -> _Transaction:
        """`async with group.transaction() as session:` one transaction of the
        open batch; returns once the batch has committed."""
        return _Transaction(self)

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Hold the write lock with no batch open, e.g. to migrate on another
        connection."""
        async with self._lock:
            if self._batch is not None:
                await self._commit(self._batch)
            yield

    async def close(self) -> None:
        """Wait until the open batch, if any, has committed."""
        while self._flushes:
            await asyncio.gather(*self._flushes, return_exceptions=True)

    async def _open(self) -> _Batch:
        session = self._sessions()
        try:
            connection = await self._begin(session)
        except BaseException:
            await session.close()
            raise
        batch = _Batch(session, connection, asyncio.get_running_loop().create_future())
        self._batch = batch
        # Queued behind every transaction waiting now: they all join this batch.
        flush = asyncio.create_task(self._flush(batch))
        self._flushes.add(flush)
        flush.add_done_callback(self._flushes.discard)
        return batch

    async def _flush(self, batch: _Batch) -> None:
        async with self._lock:
            if not batch.done:
                await self._commit(batch)

    async def _commit(self, batch: _Batch) -> None:
        try:
            await batch.session.commit()
        except Exception as error:
            await self._end(batch, self._failed_commit(error))
        else:
            await self._end(batch, None)
            self._on_commit(batch.transactions)

    async def _undo(self, batch: _Batch) -> None:
        try:
            batch.connection.execute("ROLLBACK TO tx")
            batch.connection.execute("RELEASE tx")
        except sqlite3.Error as error:
            # SQLite rolled back the whole batch (it does on a full disk or an
            # I/O error): the transactions that joined it are lost too.
            await self._end(batch, self._failed_commit(error))

    def _failed_commit(self, error: BaseException) -> BaseException:
        translated = self._translate(error)
        if isinstance(translated, StorageError):
            return translated
        # E.g. a constraint checked at COMMIT: whose transaction broke it is not
        # known, and each of the batch must learn that it was not written.
        return StorageError(f"the database refused to commit ({error}); nothing was written")

    async def _end(self, batch: _Batch, error: BaseException | None) -> None:
        batch.done = True
        self._batch = None
        try:
            if error is not None:
                await batch.session.rollback()
        finally:
            await batch.session.close()
            if error is None:
                batch.committed.set_result(None)
            else:
                batch.committed.set_exception(error)
                batch.committed.exception()  # retrieved: a batch with no waiter is not an error


class _Transaction:
    """One transaction inside a batch. A class rather than a generator-based
    context manager, which costs more, and this runs for every message."""

    __slots__ = ("_batch", "_group")

    def __init__(self, group: GroupCommit) -> None:
        self._group = group
        self._batch: _Batch | None = None

    async def __aenter__(self) -> AsyncSession:
        group = self._group
        await group._lock.acquire()
        try:
            batch = group._batch or await group._open()
            batch.connection.execute("SAVEPOINT tx")
        except BaseException:
            group._lock.release()
            raise
        self._batch = batch
        return batch.session

    async def __aexit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        group, batch = self._group, self._batch
        assert batch is not None
        try:
            if error_type is not None:
                await group._undo(batch)
                return  # the error goes on to the caller
            batch.connection.execute("RELEASE tx")
            batch.transactions += 1
        finally:
            group._lock.release()
        # Shielded: a caller that gives up waiting must not cancel the others' wait.
        await asyncio.shield(batch.committed)
