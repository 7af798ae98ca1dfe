"""Positions in commit order, for feeds that are read with a cursor.

A plain `id > last_id` on PostgreSQL can skip a row: ids are taken when a row
is inserted, and transactions commit in any order, so a row with a smaller id
may become visible after a reader moved past it. Rows of the feeds therefore
carry `txid`, the id of the transaction that wrote them (a column default), and
are read in (txid, id) order, only below the oldest transaction still in flight
(from `pg_current_snapshot()`): every transaction that could still commit a row has a
txid at least that high, so it lands after any cursor handed out so far. A long
transaction holds the feeds back while it runs; it never makes them skip.

SQLite has one writer at a time and commits in id order: txid is 0 on every
row there (the column's default), no bound is needed, and a position is its id.

Either way the condition is one the feeds' indexes (..., txid, id) seek to, so
that a page reads its own rows only: the general `txid > a OR (txid = a AND
id > b)` had both databases walk, on every page, the rows before it (an export
of 100,000 contributions spent seconds there).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, literal, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

# The oldest transaction in flight, evaluated in the reading statement itself
# (its snapshot and the bound agree). Transaction ids are shared by every
# database of a server: those of sessions known to be connected to another
# database (which cannot write here) are left out, so a busy neighbour does not
# hold the feeds back; one whose database is unknown is counted, to be safe.
_HORIZON = text(
    "(SELECT coalesce(min(x.xid::text::bigint),"
    " pg_snapshot_xmax(pg_current_snapshot())::text::bigint)"
    " FROM pg_snapshot_xip(pg_current_snapshot()) AS x(xid)"
    " WHERE x.xid::text NOT IN (SELECT backend_xid::text FROM pg_stat_activity"
    " WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()))"
)


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """Where a row sits in a feed; a cursor is the position of the last row read."""

    txid: int
    id: int


START = Position(0, 0)


def after(
    session: AsyncSession,
    txid: ColumnElement[int] | InstrumentedAttribute[int],
    row_id: ColumnElement[int] | InstrumentedAttribute[int],
    position: Position,
) -> ColumnElement[bool]:
    """Rows past `position` that no transaction in flight can precede."""
    if session.get_bind().dialect.name == "postgresql":
        # A row comparison: an index range, where an OR is filtered row by row.
        past = tuple_(txid, row_id) > tuple_(literal(position.txid), literal(position.id))
        return and_(past, txid < _HORIZON)
    # SQLite: txid is 0 on every row, so this is the same set of rows, and SQLite
    # seeks to it (it does not take a row comparison's second column as a bound).
    return and_(txid == position.txid, row_id > position.id)
