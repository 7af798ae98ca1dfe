"""SQL shapes both backends share but spell differently."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CursorResult, Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def insert_ignoring_conflict(
    session: AsyncSession,
    model: type[DeclarativeBase],
    values: dict[str, Any],
    conflict_columns: Sequence[str],
) -> Insert:
    """INSERT ... ON CONFLICT (columns) DO NOTHING. On PostgreSQL a concurrent
    insert of the same key is waited for; if it commits, nothing is inserted."""
    if session.get_bind().dialect.name == "postgresql":
        return (
            postgresql.insert(model)
            .values(values)
            .on_conflict_do_nothing(index_elements=list(conflict_columns))
        )
    return (
        sqlite.insert(model)
        .values(values)
        .on_conflict_do_nothing(index_elements=list(conflict_columns))
    )


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE touched."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount)
