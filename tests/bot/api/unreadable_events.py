"""Outbox rows this version cannot read, as written by hand or by a newer
version, for the feeds' tests: written with SQL, as they are."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, text

from storage.columns import UtcDateTime
from storage.database import Database

# The type and the payload's JSON text. PostgreSQL keeps only JSON in the column.
UNREADABLE = [
    ("contribution.completed", '{"session": 1}'),  # no contribution in it
    ("consultation.deployed", '"mobilite"'),
    ("contribution.amended", "{}"),  # a type this version does not know
    ("answer.approved", '{"answer_id": 18446744073709551616}'),  # past 64 bits
]
NOT_JSON = ("contribution.completed", "{not json")  # SQLite only

_INSERT = text(
    "INSERT INTO outbox_events (type, payload, created_at, attempts) "
    "VALUES (:type, :payload, :now, 0) RETURNING id"
).bindparams(bindparam("now", type_=UtcDateTime()))


def unreadable_rows(database: Database) -> list[tuple[str, str]]:
    """Those the database can hold."""
    return [*UNREADABLE, NOT_JSON] if database.backend == "sqlite" else list(UNREADABLE)


async def write_events(database: Database, rows: list[tuple[str, str]]) -> list[int]:
    """The rows written; their ids."""
    now = dt.datetime.now(dt.UTC)
    async with database.transaction() as session:
        return [
            (await session.execute(_INSERT, {"type": t, "payload": p, "now": now})).scalar_one()
            for t, p in rows
        ]
