"""SQL shapes shared by the repositories.

The per-message path runs a dozen statements per message, so its statements
are built once, at import, with named parameters, and executed with a dict of
values: building a SQLAlchemy statement costs several times what SQLite spends
running it. Where the backends spell a statement differently (ON CONFLICT), it
is built once per backend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import CursorResult, Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

S = TypeVar("S")


def table(model: type[DeclarativeBase]) -> Table:
    """The Core table of a model, for statements that need no ORM machinery."""
    found = model.__table__
    assert isinstance(found, Table)
    return found


class PerDialect(Generic[S]):
    """A statement spelled differently per backend, built once for each."""

    def __init__(self, build: Callable[[str], S]) -> None:
        self._build = build
        self._built: dict[str, S] = {}

    def __call__(self, session: AsyncSession) -> S:
        dialect = session.get_bind().dialect.name
        statement = self._built.get(dialect)
        if statement is None:
            statement = self._built[dialect] = self._build(dialect)
        return statement


def insert_ignoring_conflict(
    target: Table, conflict_columns: Sequence[str], dialect: str
) -> Insert:
    """INSERT ... ON CONFLICT (columns) DO NOTHING, values given at execution.
    On PostgreSQL a concurrent insert of the same key is waited for; if it
    commits, nothing is inserted (and RETURNING returns no row)."""
    if dialect == "postgresql":
        return postgresql.insert(target).on_conflict_do_nothing(
            index_elements=list(conflict_columns)
        )
    return sqlite.insert(target).on_conflict_do_nothing(index_elements=list(conflict_columns))


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE touched."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount)
