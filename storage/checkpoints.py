"""SQLite's write-ahead log moved into the database file by a worker thread.

In WAL mode every commit appends to the log, and by default the committing
connection copies the log back into the database file (a checkpoint, with its
disk flushes) every thousand pages, on the event loop's thread: a pause for
whichever resident's message happened to cross the line, and a large share of
the server's time under load. Here the serving connection never checkpoints
(wal_autocheckpoint = 0); after every `every` transactions a worker thread runs a
PASSIVE checkpoint on a connection of its own, which never blocks the writer
and releases the interpreter lock while SQLite does the I/O.

A checkpoint that runs while commits go on can never copy the whole log, and
SQLite starts the log file over only when all of it was copied: under steady
load it would grow without end. So once the worker is done, the serving
connection copies the few pages committed meanwhile itself, before its next
transaction (`catch_up`, a few pages), and that transaction
starts the log over.

Nothing committed depends on it: a log not yet checkpointed is read back by
every connection and replayed after a crash.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 200  # transactions


class WalCheckpointer:
    def __init__(self, path: str, *, every: int = CHECKPOINT_EVERY) -> None:
        self._path = path
        self._every = every
        self._commits = 0
        self._running: asyncio.Future[None] | None = None
        self._connection: sqlite3.Connection | None = None
        self._catch_up_due = False

    def committed(self, transactions: int = 1) -> None:
        """Count committed transactions; start a checkpoint when enough have
        piled up and none is running."""
        self._commits += transactions
        if self._commits < self._every or self._running is not None:
            return
        self._commits = 0
        self._running = asyncio.get_running_loop().run_in_executor(None, self._checkpoint)
        self._running.add_done_callback(self._finished)

    def catch_up(self, connection: sqlite3.Connection) -> None:
        """On the serving connection, outside any transaction: finish what the
        worker's checkpoint could not copy, if one has just finished."""
        if self._catch_up_due:
            self._catch_up_due = False
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    async def close(self) -> None:
        """Wait for a running checkpoint and close the worker's connection."""
        if self._running is not None:
            await asyncio.wait([self._running])
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _checkpoint(self) -> None:
        if self._connection is None:
            # Used by one worker thread at a time (self._running), never concurrently.
            self._connection = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=False
            )
        self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _finished(self, done: asyncio.Future[None]) -> None:
        self._running = None
        self._catch_up_due = True
        if not done.cancelled() and done.exception() is not None:
            # The log keeps growing until a later checkpoint succeeds; nothing is lost.
            log.warning("SQLite checkpoint failed: %s", done.exception())
