"""The writes of a PostgreSQL transaction that nothing reads back at once, sent
together as one statement.

Every statement is a round trip to PostgreSQL: asyncpg waits for the server's
answer to each. A resident's message ends with several writes whose outcome the
transaction never reads (the session's state, the answer, the transcript lines,
the replies kept for redeliveries); they are held and sent as one statement of
data-modifying CTEs, `WITH w0 AS (UPDATE ...), w1 AS (INSERT ...) SELECT 1`,
just before the transaction's next statement or its COMMIT. PostgreSQL runs each
of them exactly once, to completion, whether or not the query reads them.

The statements of one such query share one snapshot, none sees what another
wrote, and PostgreSQL runs them in no set order. That is the same as running
them one by one as long as they write different tables, or only add rows to the
same one; so a write that changes rows (UPDATE, DELETE) of a table a held write
touched sends what is held first.

A write that adds rows to a table a held write changed (an answer superseded,
then its replacement: the partial unique index of current answers depends on
the order) stays in the statement, ordered after the writes it follows by what
they return, the one way PostgreSQL gives for sub-statements to communicate:
its rows are built from a count of their RETURNING rows, which exists only once
they have run to completion (`INSERT INTO t (...) SELECT v.* FROM (VALUES ...)
AS v, (SELECT count(*) FROM w0) AS w0_done`). Their snapshot is still the one
before the statement, so the rows added are unseen by them, as when run one by
one; and PostgreSQL's unique checks skip a row version this transaction
replaced. An INSERT is written so only when its values are parameters that
carry their types (`$1::BIGINT`), as SQLAlchemy writes them for asyncpg;
otherwise what is held is sent first.

The transaction's other statements send what is held first too (`Batch.send`,
called by storage.prepared and, for SQLAlchemy's own statements, by
storage.engines), so every read sees every write before it. One kind of
statement takes them along instead, in a transaction begun (`Batch.carry`): an
INSERT of parameters only (it reads nothing) into a table no held write
touches, whose rows the caller needs back (a participant created, with its id).
`WITH w0 AS (<held>) INSERT ... RETURNING ...` is one round trip instead of
two, and the same as running them first: none of them writes what the INSERT
writes, and a foreign key of its rows is checked once the whole statement has
run, held writes included.

A held write that fails (a constraint) fails the statement it is sent with, or
the commit: the transaction is rolled back whole, as it would have been.

A resident's message may also be written with no transaction begun
(`Database.transaction(optimistic=True)`, storage.message_open): its reads ran
one by one, locking nothing, and the held writes are then its one statement,
which PostgreSQL runs as a transaction of its own. That statement's UPDATE of
the session names the row version read (`Batch.unchanged`), and the statement
fails, writing nothing, when that UPDATE changed no row (`consultbot_unchanged`,
migration 0019; its message names the session, the usual guard). For someone
not enrolled (`Batch.newcomer`) the guard is the write of their note: an UPDATE
or DELETE of the row version read, or an INSERT of a first one that does
nothing if one that has not expired exists (storage.pre_consent). Held writes sent before the end
(a read after them, a write whose order matters) begin the transaction first
and are sent so guarded: the guard's row then stays locked until the COMMIT,
and the work goes on in the transaction. Anything that cannot be guarded so
(a write not held, a statement of SQLAlchemy's own, held writes with no guard)
raises TransactionNeeded before anything is written.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
from sqlalchemy import Dialect

from storage.diagnosis import as_dbapi_error
from storage.errors import TransactionNeeded

# What asyncpg raises for a statement: the server's error, or its own, e.g.
# "connection is closed" once the server has gone (storage.diagnosis.translate).
DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError)

# A positional parameter of asyncpg's SQL ($1, $2, ...), renumbered when the
# statements are put together.
_PARAMETER = re.compile(r"\$(\d+)")


@dataclass(frozen=True, slots=True)
class Write:
    """A write statement ready to run: its SQL, its arguments (bind processors
    applied), the table it writes and whether it may change existing rows."""

    sql: str
    arguments: tuple[Any, ...]
    table: str
    changes_rows: bool  # an UPDATE or DELETE; an INSERT only adds
    # The held writes (by place) that must have run before this INSERT does.
    after: tuple[int, ...] = ()
    # An UPDATE of one row version, with RETURNING: the statement it is sent
    # with fails if it changed nothing (no transaction begun: see above).
    guard: bool = False


@dataclass(frozen=True, slots=True)
class Newcomer:
    """Someone not enrolled, as their message read them with no transaction
    begun (storage.message_open): their note's row version (None: they had
    none), which its write names, guarding the statement (storage.pre_consent);
    and, when the consent question was asked, ids reserved should they consent
    now (a participant's and a session's), which their INSERTs take rather than
    reading them back (storage.participants, storage.sessions)."""

    channel: str
    user_hash: str
    read_at: dt.datetime  # the time their note's expiry was read against
    note_version: str | None
    reserved: tuple[int, int] | None


@dataclass(slots=True)
class Batch:
    """The held writes of one transaction on one asyncpg connection."""

    driver: Any  # asyncpg.Connection
    dialect: Dialect
    held: list[Write] = field(default_factory=list)
    _added: set[str] = field(default_factory=set)  # tables held writes add rows to
    _changed: set[str] = field(default_factory=set)  # tables whose rows they change
    # No transaction begun yet: how to begin it (None once begun, or when the
    # transaction began at once).
    begin: Callable[[], Awaitable[None]] | None = None
    # The session id and its row version (xmin) read while no transaction was
    # begun: its UPDATE is the held writes' guard.
    unchanged: tuple[int, str] | None = None
    # Someone not enrolled, read so (the session is then None).
    newcomer: Newcomer | None = None
    _guard: int | None = None  # the place of the guarding write among those held

    @property
    def begun(self) -> bool:
        return self.begin is None

    async def hold(self, write: Write) -> None:
        """Hold `write` until the next statement; send what is held first if
        the order of the two could matter, unless `write` is an INSERT that
        can be ordered after the held writes changing its table."""
        if write.table in self._changed and not write.changes_rows and _orderable(write.sql):
            changed = (
                number
                for number, held in enumerate(self.held)
                if held.table == write.table and held.changes_rows
            )
            write = replace(write, after=tuple(changed))  # an INSERT: ordered after them
        elif write.table in self._changed or (write.changes_rows and write.table in self._added):
            await self.send()
        if write.guard:
            self._guard = len(self.held)
        self.held.append(write)
        (self._changed if write.changes_rows else self._added).add(write.table)

    async def send(self) -> None:
        """Run what is held, as one statement. With no transaction begun, the
        transaction begins first, and the statement fails if the session
        changed since it was read: from there on, the work goes on in it."""
        if not self.held:
            return
        if self.begin is not None:
            self._check_guarded()
            await self.begin()
        await self._run()

    def carries(self, sql: str, table: str) -> bool:
        """Whether the held writes can go with the statement `sql`, which writes
        `table`, rather than before it (see the module's docstring)."""
        return (
            bool(self.held)
            and self.begun
            and self._guard is None
            and table not in self._added
            and table not in self._changed
            and _orderable(sql)
        )

    def carry(self, sql: str, arguments: list[Any]) -> tuple[str, list[Any]]:
        """The statement `sql` with the held writes before it, and its
        arguments, once `carries` said so; they are no longer held."""
        shapes, held = _shapes(self.held), _arguments(self.held)
        self.discard()
        return _carrying(shapes, sql), held + arguments

    async def send_alone(self) -> None:
        """With no transaction begun: run what is held as one statement, its
        own transaction, which fails whole if the session changed meanwhile."""
        if not self.held:
            return
        self._check_guarded()
        await self._run()

    def _check_guarded(self) -> None:
        # Before anything held is sent with no transaction begun: only the
        # session's UPDATE of the version read says the reads still hold.
        if self._guard is None:
            raise TransactionNeeded("held writes with no session to guard them")

    async def _run(self) -> None:
        sql, arguments = together(self.held, self._guard)
        self.discard()
        try:
            await self.driver.execute(sql, *arguments)
        except DRIVER_ERRORS as error:
            lost = self.driver.is_closed()
            raise as_dbapi_error(error, sql, self.dialect, lost=lost) from error

    def discard(self) -> None:
        """Forget what is held (sent, or rolled back with the transaction)."""
        self.held.clear()
        self._added.clear()
        self._changed.clear()
        self._guard = None


def together(writes: list[Write], guard: int | None = None) -> tuple[str, list[Any]]:
    """One statement running `writes`, and its arguments; failing when the
    write at place `guard`, if any, changed nothing."""
    if len(writes) == 1 and guard is None:
        return writes[0].sql, list(writes[0].arguments)
    return _statement(_shapes(writes), guard), _arguments(writes)


# A write's shape: its SQL, its number of arguments, the writes it must follow.
_Shape = tuple[str, int, tuple[int, ...]]


def _shapes(writes: list[Write]) -> tuple[_Shape, ...]:
    return tuple((write.sql, len(write.arguments), write.after) for write in writes)


def _arguments(writes: list[Write]) -> list[Any]:
    return [value for write in writes for value in write.arguments]


# A message's writes take a few shapes, the same again and again: each one's
# statement is put together once, not at every message (its parameters are
# renumbered by a regular expression; bench/storage_hot_path.py on PostgreSQL,
# 2026-12-06: 585-589 µs of CPU a message before, 571-573 µs after).
@functools.lru_cache(maxsize=512)
def _statement(shapes: tuple[_Shape, ...], guard: int | None) -> str:
    result = "1" if guard is None else f"consultbot_unchanged((SELECT count(*) FROM w{guard}))"
    return _with(shapes) + " SELECT " + result


@functools.lru_cache(maxsize=512)
def _carrying(shapes: tuple[_Shape, ...], sql: str) -> str:
    return _with(shapes) + " " + _renumbered(sql, sum(count for _, count, _ in shapes))


def _with(shapes: tuple[_Shape, ...]) -> str:
    """The WITH clause running the writes of `shapes`, their parameters numbered on."""
    followed = {number for _, _, after in shapes for number in after}
    parts: list[str] = []
    offset = 0
    for number, (sql, count, after) in enumerate(shapes):
        if offset:
            sql = _renumbered(sql, offset)
        if after:
            sql = _ordered_after(sql, after)
        if number in followed and not _RETURNING.search(sql):
            sql += " RETURNING 1"  # what an INSERT after it counts
        parts.append(f"w{number} AS ({sql})")
        offset += count
    return "WITH " + ", ".join(parts)


def _renumbered(sql: str, offset: int) -> str:
    return _PARAMETER.sub(lambda found: f"${int(found.group(1)) + offset}", sql)


# An INSERT of rows given as VALUES of parameters each with its type, as
# SQLAlchemy writes it for asyncpg (`($1::BIGINT, $2::VARCHAR)`), and its
# RETURNING; anything else (a literal, ON CONFLICT, a SELECT) does not match.
_TYPED = r"\$\d+::[A-Z][A-Z0-9 _\[\]]*"
_ROW = rf"\({_TYPED}(?:, {_TYPED})*\)"
_INSERT_VALUES = re.compile(
    rf"(?P<into>INSERT INTO \w+ \([\w, ]+\)) VALUES (?P<rows>{_ROW}(?:, {_ROW})*)"
    r"(?P<returning> RETURNING [\w., ]+)?"
)
_RETURNING = re.compile(r" RETURNING ")


def _orderable(sql: str) -> bool:
    """Whether this INSERT can be ordered after other writes of its statement:
    only parameters with their types (in a SELECT list, a parameter without one
    would take the type text rather than its column's)."""
    return _INSERT_VALUES.fullmatch(sql) is not None


def _ordered_after(sql: str, after: tuple[int, ...]) -> str:
    """The INSERT `sql` adding its rows once the writes `after` have run."""
    found = _INSERT_VALUES.fullmatch(sql)
    assert found is not None, sql  # _orderable said so
    done = ", ".join(f"(SELECT count(*) FROM w{number}) AS w{number}_done" for number in after)
    returning = found["returning"] or ""
    return f"{found['into']} SELECT v.* FROM (VALUES {found['rows']}) AS v, {done}{returning}"
