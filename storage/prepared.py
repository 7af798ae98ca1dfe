"""Statements of the per-message path, compiled once and run on SQLite directly.

SQLAlchemy spends far more Python on every execution (cache key, execution
context, result machinery) than SQLite spends running an indexed statement; on
the per-message path, several statements per message, that overhead would be
most of the server's time. A `Prepared` statement is compiled once per set of
parameter names, with the column types' own bind and result processors, and
run on the sqlite3 connection of the session's transaction, so what is stored
and read back is exactly what SQLAlchemy would store and read.

On PostgreSQL (or a session that `Database.transaction` did not open), it runs
through `session.execute` as any statement: same rows, same errors.

    _FIND = Prepared(select(t.c.id).where(t.c.name == bindparam("b_name")))
    row = (await _FIND.execute(session, {"b_name": name})).first()
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, Dialect, Result
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeDecorator, TypeEngine

# session.info key: (sqlite3 connection, dialect) of the session's transaction.
SQLITE_CONNECTION = "consultbot.sqlite_connection"

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class Rows:
    """What a statement returned: its rows as tuples, and the rows it touched."""

    rows: list[tuple[Any, ...]]
    rowcount: int

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
    # Per positional parameter: the execution parameter's name (or None for a
    # value fixed in the statement), the fixed value, and the bind processor.
    binds: tuple[tuple[str | None, Any, Processor], ...]
    results: tuple[Processor, ...]  # per result column; empty when none applies


class Prepared:
    """A Core statement run without SQLAlchemy's per-execution machinery on
    SQLite. Parameters are given by name at execution; for INSERT and UPDATE,
    the names given are the columns written."""

    __slots__ = ("_compiled", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[frozenset[str], _Compiled] = {}

    async def execute(self, session: AsyncSession, values: Mapping[str, Any]) -> Rows:
        """Run with `values`; the rows returned and the count of rows touched."""
        found = session.info.get(SQLITE_CONNECTION)
        if found is None:
            result = await session.execute(self.statement, values)
            return Rows(
                [tuple(row) for row in result] if _returns_rows(result) else [], _count(result)
            )
        connection, dialect = found
        compiled = self._compiled_for(frozenset(values), dialect)
        try:
            cursor = connection.execute(compiled.sql, _arguments(compiled, values))
            rows = cursor.fetchall()
        except sqlite3.Error as error:
            raise _as_sqlalchemy_error(error, compiled, dialect) from error
        if rows and compiled.results:
            rows = [_processed(row, compiled.results) for row in rows]
        return Rows(rows, cursor.rowcount)

    async def execute_many(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per item of `rows` (all with the same names), e.g. an INSERT."""
        found = session.info.get(SQLITE_CONNECTION)
        if found is None:
            await session.execute(self.statement, list(rows))
            return
        connection, dialect = found
        compiled = self._compiled_for(frozenset(rows[0]), dialect)
        try:
            connection.executemany(compiled.sql, [_arguments(compiled, values) for values in rows])
        except sqlite3.Error as error:
            raise _as_sqlalchemy_error(error, compiled, dialect) from error

    def _compiled_for(self, names: frozenset[str], dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(names)
        if compiled is None:
            compiled = _compile(self.statement, names, dialect)
            self._compiled[names] = compiled
        return compiled


def _compile(statement: Executable, names: frozenset[str], dialect: Dialect) -> _Compiled:
    assert isinstance(statement, ClauseElement)
    compiled = statement.compile(dialect=dialect, column_keys=sorted(names))
    assert isinstance(compiled, SQLCompiler)
    assert compiled.positiontup is not None, "SQLite's paramstyle is positional"
    binds: list[tuple[str | None, Any, Processor]] = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        processor: Processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None and _python_type(bind.type) is dt.datetime:
            processor = _shared_timestamp_processor(bind.type, dialect, processor)
        if name in names:
            binds.append((name, None, processor))
        else:  # a value written in the statement, e.g. status == "active"
            binds.append((None, bind.effective_value, processor))
    columns = getattr(statement, "exported_columns", ())
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )
    return _Compiled(compiled.string, tuple(binds), results if any(results) else ())


def _as_sqlalchemy_error(
    error: sqlite3.Error, compiled: _Compiled, dialect: Dialect
) -> BaseException:
    # As SQLAlchemy would raise it, so that storage.diagnosis reads it alike.
    return DBAPIError.instance(
        compiled.sql, None, error, sqlite3.Error, hide_parameters=True, dialect=dialect
    )


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


_NOTHING = object()
_TIMESTAMPS: dict[tuple[type, str], Callable[[Any], Any]] = {}


def _arguments(compiled: _Compiled, values: Mapping[str, Any]) -> list[Any]:
    arguments = []
    for name, fixed, processor in compiled.binds:
        value = fixed if name is None else values[name]
        arguments.append(value if processor is None else processor(value))
    return arguments


def _processed(row: tuple[Any, ...], processors: tuple[Processor, ...]) -> tuple[Any, ...]:
    return tuple(
        [
            value if processor is None else processor(value)
            for value, processor in zip(row, processors, strict=True)
        ]
    )
