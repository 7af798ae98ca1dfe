"""Write statements shared by the repositories: INSERT-if-new, and how many
rows an UPDATE or DELETE touched.

The per-message path runs several statements per message, so they are built
once, at import, with named parameters, and executed with a dict of values
(storage.prepared runs them on SQLite directly): building a SQLAlchemy statement
costs more than SQLite spends running it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CursorResult, Table, TextClause, TextualSelect, bindparam, text


def insert_if_new(
    target: Table,
    columns: Sequence[str],
    conflict_columns: Sequence[str],
    returning: Sequence[str] = (),
) -> TextClause | TextualSelect:
    """INSERT ... ON CONFLICT (conflict_columns) DO NOTHING [RETURNING ...],
    values given at execution under the column names. On PostgreSQL a
    concurrent insert of the same key is waited for; if it commits, nothing is
    inserted (and RETURNING returns no row).

    Spelled as text, which both backends accept as is, because SQLAlchemy does
    not cache the compiled form of its dialect-specific ON CONFLICT constructs:
    they would be compiled anew for every message."""
    sql = (
        f"INSERT INTO {target.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(':' + name for name in columns)}) "
        f"ON CONFLICT ({', '.join(conflict_columns)}) DO NOTHING"
    )
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    statement = text(sql).bindparams(
        *(bindparam(name, type_=target.c[name].type) for name in columns)
    )
    if not returning:
        return statement
    return statement.columns(*(target.c[name] for name in returning))


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE touched."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount)
