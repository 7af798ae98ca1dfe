"""On SQLite, the ids of sessions, answers and events are never given again.

SQLite gives a new row the highest id in its table plus one, unless the table
was declared AUTOINCREMENT. Erasing a resident deletes their session, answers
and undelivered events, often the newest rows: the next resident's got the
same ids, so the public ids derived from them (`ctb_` and the receipt code from
the session, `ans_`, `evt_`) named someone else's contribution to an engine
that had heard of the erased one (its `participant.erased` event, a replayed
webhook, a tombstone), and a moderator was told a new answer had been erased
(`erased_answers`). PostgreSQL's sequences never give an id twice: nothing to
do there.

SQLite cannot add AUTOINCREMENT to a table: each of the three is copied into a
new table declared so, in its own words otherwise (its CREATE statement as
stored, the primary key moved onto the column), and its indexes are made again.
The ids given from then on start above the highest kept, and above the highest
erased answer's (the only erased ids still known). Foreign keys are off
meanwhile (storage.database does it for SQLite migrations, as SQLite's manual
asks for such a change) and checked before the commit. The copy of a database
of a million answers, 150,000 sessions and as many events (370 MB) took 3.9 s
on a 2-core machine. The downgrade keeps the tables as they are: the
previous version works with them.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("sessions", "answers", "outbox_events")
_HEADER = re.compile(r'^CREATE TABLE "?(\w+)"? \(')
_ID = re.compile(r"^(\s*)id INTEGER NOT NULL,", re.MULTILINE)
_PRIMARY_KEY = re.compile(r",\s*CONSTRAINT (pk_\w+) PRIMARY KEY \(id\)")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("migration 0023 copies tables: run it with foreign keys off")
    for table in TABLES:
        _copy_with_autoincrement(bind, table)
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"migration 0023 would leave rows without their parent: {broken[:5]}")


def downgrade() -> None:
    """Nothing: the previous version reads and writes these tables as they are."""


def _copy_with_autoincrement(bind: sa.Connection, table: str) -> None:
    create, indexes = _definition(bind, table)
    if "AUTOINCREMENT" in create:
        return  # made so already (a database created from this version's models)
    copy = f"{table}_0023"
    bind.exec_driver_sql(_autoincrement(create, table, copy))
    bind.exec_driver_sql(f"INSERT INTO {copy} SELECT * FROM {table}")
    highest = _highest_id(bind, table)
    bind.exec_driver_sql(f"DROP TABLE {table}")
    bind.exec_driver_sql(f"ALTER TABLE {copy} RENAME TO {table}")
    for index in indexes:
        bind.exec_driver_sql(index)
    # The copy's INSERT made its row of sqlite_sequence (renamed with it) only
    # if it copied any row.
    bind.exec_driver_sql(f"DELETE FROM sqlite_sequence WHERE name = '{table}'")
    bind.exec_driver_sql(
        f"INSERT INTO sqlite_sequence (name, seq) VALUES ('{table}', {int(highest)})"
    )


def _definition(bind: sa.Connection, table: str) -> tuple[str, list[str]]:
    """The table's CREATE statement and its indexes', as SQLite stores them."""
    rows = bind.exec_driver_sql(
        "SELECT type, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
        "AND type IN ('table', 'index')",
        (table,),
    ).all()
    create = [sql for kind, sql in rows if kind == "table"]
    return create[0], [sql for kind, sql in rows if kind == "index"]


def _autoincrement(create: str, table: str, copy: str) -> str:
    """`create` for a table named `copy` whose id is declared AUTOINCREMENT:
    the table-level primary key moved onto the column, named as it was."""
    header, ids, keys = _HEADER.match(create), _ID.findall(create), _PRIMARY_KEY.findall(create)
    if header is None or header.group(1) != table or len(ids) != 1 or len(keys) != 1:
        raise RuntimeError(f"migration 0023 does not recognise the table {table}: {create}")
    statement = _HEADER.sub(f"CREATE TABLE {copy} (", create, count=1)
    statement = _PRIMARY_KEY.sub("", statement, count=1)
    return _ID.sub(
        rf"\1id INTEGER NOT NULL CONSTRAINT {keys[0]} PRIMARY KEY AUTOINCREMENT,",
        statement,
        count=1,
    )


def _highest_id(bind: sa.Connection, table: str) -> int:
    """The highest id the table holds or, for answers, ever held as far as is known."""
    known = f"SELECT max(id) FROM {table}"
    if table == "answers":
        known += " UNION ALL SELECT max(answer_id) FROM erased_answers"
    return max((row[0] or 0 for row in bind.exec_driver_sql(known)), default=0)
