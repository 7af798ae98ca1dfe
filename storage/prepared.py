"""Statements of the per-message path, compiled once and run on the driver directly.

SQLAlchemy spends far more Python on every execution (cache key, execution
context, result machinery) than SQLite spends running an indexed statement; on
the per-message path, several statements per message, that overhead would be
most of the server's time. A `Prepared` statement is compiled once per set of
parameter names, with the column types' own bind and result processors, and
run on the sqlite3 connection of the session's transaction, so what is stored
and read back is exactly what SQLAlchemy would store and read.

On PostgreSQL they run on the asyncpg connection of the session's transaction
(asyncpg prepares each statement once per connection and keeps it): from the
first statement in `Database.transaction` (storage.pg_transaction begins it on
asyncpg); in `Database.read`, once SQLAlchemy has begun it (the first statement
goes through `session.execute`, which sends BEGIN with it). A session that
`Database.transaction` or `Database.read` did not open runs every statement
through `session.execute`: same rows, same errors.

    _FIND = Prepared(select(t.c.id).where(t.c.name == bindparam("b_name")))
    row = (await _FIND.execute(session, {"b_name": name})).first()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
from sqlalchemy import (
    CursorResult,
    Delete,
    Dialect,
    Insert,
    Result,
    TableClause,
    Update,
    bindparam,
)
from sqlalchemy.exc import PendingRollbackError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from storage.diagnosis import as_dbapi_error
from storage.errors import TransactionNeeded
from storage.sqlite_inline import InlineConnection
from storage.write_batch import DRIVER_ERRORS, Batch, Write

# session.info key: (sqlite3 connection, dialect) of the session's transaction.
SQLITE_CONNECTION = "consultbot.sqlite_connection"
# session.info key: the PostgreSQL dialect, set by Database for its sessions; the
# transaction's asyncpg connection and held writes are then kept under BATCH.
POSTGRESQL_DIALECT = "consultbot.postgresql_dialect"
BATCH = "consultbot.write_batch"

Processor = Callable[[Any], Any] | None


class Rows:
    """What a statement returned: its rows as tuples, and the rows it touched.
    A plain class: one is made per statement, several per message, and a
    frozen dataclass's __init__ (object.__setattr__ per field) costs more."""

    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def first(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def one(self) -> tuple[Any, ...]:
        if len(self.rows) != 1:
            raise LookupError(f"expected one row, got {len(self.rows)}")
        return self.rows[0]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    # The positional parameters from the values given by name, processed.
    arguments: Callable[[Mapping[str, Any]], list[Any]]
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, its processor)
    returns_rows: bool  # a SELECT, or a write with RETURNING
    table: str  # what an INSERT, UPDATE or DELETE writes ("" otherwise)
    changes_rows: bool  # an UPDATE or DELETE
    # A SELECT that locks nothing, which may run with no transaction begun
    # (storage.write_batch); False for writes, textual ones included.
    reads_only: bool


class Prepared:
    """A Core statement run without SQLAlchemy's per-execution machinery.
    Parameters are given by name at execution; for INSERT and UPDATE, the names
    given are the columns written.

    `deferrable`: a write whose outcome the transaction does not read; run with
    `write`/`write_many`, PostgreSQL gets it with the transaction's next
    statement (storage.write_batch). `upserts`: the table a textual
    `INSERT ... ON CONFLICT DO UPDATE` writes (both databases take the same
    text, which Core spells per dialect), held as a write that may change rows.
    `writes`: a SELECT that writes or locks all the same (it calls a function
    that does), so never run with no transaction begun."""

    __slots__ = ("_compiled", "_deferrable", "_upserts", "_writes", "statement")

    def __init__(
        self,
        statement: Executable,
        *,
        deferrable: bool = False,
        upserts: TableClause | None = None,
        writes: bool = False,
    ) -> None:
        dml = upserts is not None or isinstance(statement, Insert | Update | Delete)
        assert not deferrable or dml, "only writes are held"
        self.statement = statement
        self._deferrable = deferrable
        self._upserts = upserts
        self._writes = writes
        # By dialect (one process may use both databases, e.g. the tests), the
        # names given (in the order given: a tuple hashes for less than a
        # frozenset is built), and for write_many the number of rows.
        self._compiled: dict[tuple[str, tuple[str, ...], int], _Compiled] = {}

    async def write(
        self, session: AsyncSession, values: Mapping[str, Any], *, guard: bool = False
    ) -> int | None:
        """Run a write with `values`; the count of rows it touched, or None when
        it is held for the transaction's next statement (PostgreSQL). `guard`:
        an UPDATE of one row version, RETURNING, that must change it
        (storage.write_batch)."""
        batch = None
        if self._deferrable and SQLITE_CONNECTION not in session.info:  # SQLite holds nothing
            batch = await _batch(session)
        if batch is None:
            return (await self.execute(session, values)).rowcount
        compiled = self._compiled_for(values, batch.dialect)
        await batch.hold(
            Write(
                compiled.sql,
                tuple(compiled.arguments(values)),
                compiled.table,
                compiled.changes_rows,
                guard=guard,
            )
        )
        return None

    async def write_many(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert `rows` (all with the same names), held as `write` is."""
        batch = None
        if self._deferrable and SQLITE_CONNECTION not in session.info:  # SQLite holds nothing
            batch = await _batch(session)
        if batch is None:
            await self.execute_many(session, rows)
            return
        names = tuple(rows[0])
        key = (batch.dialect.name, names, len(rows))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile_rows(frozenset(names), len(rows), batch.dialect)
            self._compiled[key] = compiled
        numbered = {f"{name}_{n}": row[name] for n, row in enumerate(rows) for name in names}
        arguments = tuple(compiled.arguments(numbered))
        await batch.hold(Write(compiled.sql, arguments, compiled.table, False))

    def _compile_rows(self, names: frozenset[str], count: int, dialect: Dialect) -> _Compiled:
        # One INSERT of `count` rows, parameters named <column>_<row>.
        assert isinstance(self.statement, Insert)
        columns = self.statement.table.c
        rows = [
            {name: bindparam(f"{name}_{n}", type_=columns[name].type) for name in names}
            for n in range(count)
        ]
        numbered = frozenset(f"{name}_{n}" for n in range(count) for name in names)
        return _compile(self.statement.values(rows), numbered, dialect)

    async def execute(self, session: AsyncSession, values: Mapping[str, Any]) -> Rows:
        """Run with `values`; the rows returned and the count of rows touched."""
        found = session.info.get(SQLITE_CONNECTION)
        if found is None:
            batch = await _batch(session)
            if batch is not None:
                return await self._execute_postgresql(batch, values)
            result = await session.execute(self.statement, values)
            return Rows(
                [tuple(row) for row in result] if _returns_rows(result) else [], _count(result)
            )
        connection, dialect = found
        compiled = self._compiled_for(values, dialect)
        try:
            cursor = connection.execute(compiled.sql, compiled.arguments(values))
            rows = cursor.fetchall()
        except sqlite3.Error as error:
            raise as_dbapi_error(error, compiled.sql, dialect) from error
        if rows and compiled.results:
            rows = [_processed(row, compiled.results) for row in rows]
        return Rows(rows, cursor.rowcount)

    async def execute_many(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per item of `rows` (all with the same names), e.g. an INSERT."""
        found = session.info.get(SQLITE_CONNECTION)
        if found is None:
            batch = await _batch(session)
            if batch is not None:
                await batch.send()
                if not batch.begun:
                    raise TransactionNeeded("writes not held need a transaction")
                dialect = batch.dialect
                compiled = self._compiled_for(rows[0], dialect)
                try:
                    await batch.driver.executemany(
                        compiled.sql, [compiled.arguments(values) for values in rows]
                    )
                except DRIVER_ERRORS as error:
                    lost = batch.driver.is_closed()
                    raise as_dbapi_error(error, compiled.sql, dialect, lost=lost) from error
                return
            await session.execute(self.statement, list(rows))
            return
        connection, dialect = found
        compiled = self._compiled_for(rows[0], dialect)
        try:
            connection.executemany(compiled.sql, [compiled.arguments(values) for values in rows])
        except sqlite3.Error as error:
            raise as_dbapi_error(error, compiled.sql, dialect) from error

    async def _execute_postgresql(self, batch: Batch, values: Mapping[str, Any]) -> Rows:
        dialect = batch.dialect
        compiled = self._compiled_for(values, dialect)
        sql, arguments = compiled.sql, compiled.arguments(values)
        if batch.carries(sql, compiled.table):
            sql, arguments = batch.carry(sql, arguments)  # the held writes go with it
        else:
            await batch.send()  # this statement sees every write before it
        if not (compiled.reads_only or batch.begun):  # a write is held, or needs BEGIN
            raise TransactionNeeded("writes not held and locks need a transaction")
        try:
            if compiled.returns_rows:
                records = await batch.driver.fetch(sql, *arguments)
                rows = [tuple(record) for record in records]
                count = len(rows)
            else:
                status = await batch.driver.execute(sql, *arguments)
                rows, count = [], _status_count(status)
        except DRIVER_ERRORS as error:
            lost = batch.driver.is_closed()
            raise as_dbapi_error(error, sql, dialect, lost=lost) from error
        if rows and compiled.results:
            rows = [_processed(row, compiled.results) for row in rows]
        return Rows(rows, count)

    def _compiled_for(self, values: Mapping[str, Any], dialect: Dialect) -> _Compiled:
        key = (dialect.name, tuple(values), 0)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = _compile(self.statement, frozenset(values), dialect)
            if self._upserts is not None:
                compiled = replace(compiled, table=self._upserts.name, changes_rows=True)
            if self._writes:
                compiled = replace(compiled, reads_only=False)
            self._compiled[key] = compiled
        return compiled


def _compile(statement: Executable, names: frozenset[str], dialect: Dialect) -> _Compiled:
    assert isinstance(statement, ClauseElement)
    compiled = statement.compile(dialect=dialect, column_keys=sorted(names))
    assert isinstance(compiled, SQLCompiler)
    assert compiled.positiontup is not None, "SQLite's and asyncpg's paramstyles are positional"
    binds: list[tuple[str | None, Any, Processor]] = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        processor: Processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None and _python_type(bind.type) is dt.datetime:
            processor = _shared_timestamp_processor(bind.type, dialect, processor)
        elif processor is not None and processor(None) is not None:
            processor = _none_once(processor)
        if name in names:
            binds.append((name, None, processor))
        else:  # a value written in the statement, e.g. status == "active"
            binds.append((None, bind.effective_value, processor))
    columns = getattr(statement, "exported_columns", ())
    results = (
        (index, column.type.dialect_impl(dialect).result_processor(dialect, None))
        for index, column in enumerate(columns)
    )
    table = getattr(statement, "table", None)
    return _Compiled(
        compiled.string,
        _arguments_of(binds),
        tuple((index, processor) for index, processor in results if processor is not None),
        bool(columns),
        table.name if isinstance(table, TableClause) else "",
        bool(compiled.isupdate or compiled.isdelete),
        _SELECT.match(compiled.string) is not None and _LOCK.search(compiled.string) is None,
    )


_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)  # what a textual statement may be too
_LOCK = re.compile(r"\bFOR (?:UPDATE|NO KEY UPDATE|SHARE|KEY SHARE)\b", re.IGNORECASE)


async def _batch(session: AsyncSession) -> Batch | None:
    """The PostgreSQL transaction of the session (its asyncpg connection and
    held writes): `Database.transaction`'s from the start (storage.pg_transaction);
    a read's once SQLAlchemy has begun it (before, None: the statement goes
    through SQLAlchemy, which sends BEGIN first); None also for a session
    Database did not open, and on SQLite."""
    batch = session.info.get(BATCH)
    if batch is None:
        dialect = session.info.get(POSTGRESQL_DIALECT)
        if dialect is None or not session.in_transaction():
            return None
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, asyncpg.Connection)
        batch = Batch(raw.driver_connection, dialect)
        session.info[BATCH] = batch
        connection.info[BATCH] = batch  # for SQLAlchemy's own statements (storage.engines)
    assert isinstance(batch, Batch)
    return batch if not batch.begun or batch.driver.is_in_transaction() else None


async def on_sqlite_driver(session: AsyncSession) -> None:
    """Run the session's prepared statements on its sqlite3 connection, as a
    transaction's (`Database.transaction`) are, also in a read (`Database.read`),
    where they otherwise go through SQLAlchemy: for reads of many rows, which
    SQLAlchemy hands over a call per row. Nothing on PostgreSQL."""
    if SQLITE_CONNECTION in session.info or POSTGRESQL_DIALECT in session.info:
        return
    connection = await session.connection()  # begins the read, if not yet
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if isinstance(driver, InlineConnection):
        session.info[SQLITE_CONNECTION] = (driver.sqlite3, connection.dialect)


async def let_go(session: AsyncSession) -> None:
    """The transaction ends: forget its held writes (sent, or rolled back)."""
    batch = session.info.pop(BATCH, None)
    if batch is not None:
        batch.discard()
        if session.in_transaction():
            # A connection that died under the transaction (a server restart) is
            # replaced by SQLAlchemy, with an empty `info`; the error that killed
            # the transaction is the one to report, not this one.
            with contextlib.suppress(PendingRollbackError):
                (await session.connection()).info.pop(BATCH, None)


def _status_count(status: str) -> int:
    # asyncpg returns the command tag: "UPDATE 3", "DELETE 0", "INSERT 0 1".
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else -1


def _returns_rows(result: Result[Any]) -> bool:
    # A Session wraps SELECT results in other Result classes; DML comes back as
    # a CursorResult, which says whether it has rows (RETURNING).
    return not isinstance(result, CursorResult) or result.returns_rows


def _count(result: Result[Any]) -> int:
    return result.rowcount if isinstance(result, CursorResult) else -1


def _python_type(type_: TypeEngine[Any]) -> type | None:
    if isinstance(type_, TypeDecorator):  # it does not say; what it decorates does
        type_ = type_.impl_instance
    try:
        return type_.python_type
    except NotImplementedError:
        return None


def _shared_timestamp_processor(
    type_: TypeEngine[Any], dialect: Dialect, processor: Callable[[Any], Any]
) -> Processor:
    """One processor per timestamp type, shared by every statement, remembering
    its last result: the statements of one message all carry the same timestamp
    object. Only for immutable values: a dict changed in place would come back
    stale."""
    key = (type(type_), dialect.name)
    shared = _TIMESTAMPS.get(key)
    if shared is None:
        last: list[Any] = [_NOTHING, None]

        def shared(value: Any) -> Any:
            if value is not last[0]:
                last[0], last[1] = value, processor(value)
            return last[1]

        _TIMESTAMPS[key] = shared
    return shared


def _none_once(processor: Callable[[Any], Any]) -> Processor:
    """`processor` with what it makes of None worked out once: JSON columns turn
    None into the text "null", through json.dumps (a microsecond) for each of
    the several None values a message writes (transcript lines, answers)."""
    none = processor(None)

    def processed(value: Any) -> Any:
        return none if value is None else processor(value)

    return processed


_NOTHING = object()
_TIMESTAMPS: dict[tuple[type, str], Callable[[Any], Any]] = {}


def _arguments_of(
    binds: list[tuple[str | None, Any, Processor]],
) -> Callable[[Mapping[str, Any]], list[Any]]:
    """For the positional parameters `binds` (each: the name of the value
    given at execution, or None and the value fixed in the statement; and the
    bind processor), the function that makes the arguments from the values.
    Only the parameters with a processor are touched one by one: several
    statements with a dozen parameters run for every message."""
    names = [name for name, _, _ in binds if name is not None]
    fixed = [(index, value) for index, (name, value, _) in enumerate(binds) if name is None]
    processed = [(index, p) for index, (_, _, p) in enumerate(binds) if p is not None]
    take = _getter(names)

    def arguments(values: Mapping[str, Any]) -> list[Any]:
        found = list(take(values))
        for index, value in fixed:  # in order: each lands at its place
            found.insert(index, value)
        for index, processor in processed:
            found[index] = processor(found[index])
        return found

    return arguments


def _getter(names: list[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """The values of `names` from a mapping, as a tuple (itemgetter's speed)."""
    if len(names) > 1:
        return itemgetter(*names)
    if names:
        one = itemgetter(names[0])  # itemgetter of one name gives the value alone
        return lambda values: (one(values),)
    return lambda values: ()


def _processed(
    row: tuple[Any, ...], processors: tuple[tuple[int, Callable[[Any], Any]], ...]
) -> tuple[Any, ...]:
    values = list(row)
    for index, processor in processors:
        values[index] = processor(values[index])
    return tuple(values)
