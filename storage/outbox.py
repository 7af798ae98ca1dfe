"""The outbox: events for the consultation engine, written in the transaction
that caused them (so none is lost or sent for a change that rolled back) and
delivered afterwards, at least once, by whoever reads `pending`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Text, cast, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import json_text
from storage.columns import JsonValue
from storage.commit_order import START, Position, after
from storage.models import OutboxEventRow, table
from storage.prepared import Prepared
from storage.writes import rowcount


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    id: int
    type: str
    payload: JsonValue
    participant_id: int | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    attempts: int
    last_attempt_at: dt.datetime | None


_COLUMNS = (
    OutboxEventRow.id,
    OutboxEventRow.type,
    OutboxEventRow.payload,
    OutboxEventRow.participant_id,
    OutboxEventRow.created_at,
    OutboxEventRow.delivered_at,
    OutboxEventRow.attempts,
    OutboxEventRow.last_attempt_at,
)


_INSERT = Prepared(insert(table(OutboxEventRow)).returning(OutboxEventRow.id))
_ADD = Prepared(insert(table(OutboxEventRow)), deferrable=True)


async def enqueue(
    session: AsyncSession,
    type: str,
    payload: JsonValue,
    *,
    now: dt.datetime,
    participant_id: int | None = None,
) -> int:
    """Add an event; its id. `participant_id` names whose data the payload
    carries, so that deleting their data removes it if still undelivered."""
    values = {"type": type, "payload": payload, "participant_id": participant_id, "created_at": now}
    event_id = (await _INSERT.execute(session, values)).scalar()
    assert isinstance(event_id, int)
    return event_id


async def add(
    session: AsyncSession,
    type: str,
    payload: JsonValue,
    *,
    now: dt.datetime,
    participant_id: int | None = None,
) -> None:
    """`enqueue` for a caller that does not need the event's id: on PostgreSQL
    the row is sent with the transaction's next statement (storage.write_batch),
    not in a round trip of its own."""
    values = {"type": type, "payload": payload, "participant_id": participant_id, "created_at": now}
    await _ADD.write(session, values)


async def pending(
    session: AsyncSession,
    *,
    now: dt.datetime,
    retry_after: dt.timedelta = dt.timedelta(seconds=30),
    limit: int = 100,
) -> list[OutboxEvent]:
    """Undelivered events, oldest first, skipping those that failed less than
    `retry_after` ago. On PostgreSQL the rows stay locked until the transaction
    ends and rows another deliverer holds are skipped, so several processes can
    deliver without sending an event twice at once."""
    rows = await session.execute(
        select(*_COLUMNS)
        .where(
            OutboxEventRow.delivered_at.is_(None),
            or_(
                OutboxEventRow.last_attempt_at.is_(None),
                OutboxEventRow.last_attempt_at <= now - retry_after,
            ),
        )
        .order_by(OutboxEventRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [OutboxEvent(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """An event as the feeds hand it out, with its place in commit order.
    `unreadable`: why its payload is not JSON (then `payload` is None)."""

    id: int
    type: str
    payload: JsonValue
    created_at: dt.datetime
    position: Position
    unreadable: str | None = None


async def feed(
    session: AsyncSession,
    *,
    after_position: Position = START,
    limit: int = 100,
    types: Sequence[str] | None = None,
) -> list[FeedEvent]:
    """Events past `after_position`, in commit order (`storage.commit_order`):
    a cursor kept by a reader never skips an event committed late. With
    `types`, only those (a reader's position still moves past the others: see
    `last_position`)."""
    # The payload as text, read here row by row: one that is not JSON (a row
    # written by hand) fails on its own, not the whole page it is in.
    query = select(
        OutboxEventRow.id,
        OutboxEventRow.type,
        cast(OutboxEventRow.payload, Text),
        OutboxEventRow.created_at,
        OutboxEventRow.txid,
    ).where(after(session, OutboxEventRow.txid, OutboxEventRow.id, after_position))
    if types is not None:
        query = query.where(OutboxEventRow.type.in_(list(types)))
    rows = await session.execute(
        query.order_by(OutboxEventRow.txid, OutboxEventRow.id).limit(limit)
    )
    return [_feed_event(i, t, p, c, Position(x, i)) for i, t, p, c, x in rows]


def _feed_event(
    id: int, type: str, payload: str | None, created_at: dt.datetime, position: Position
) -> FeedEvent:
    if payload is None:
        return FeedEvent(id, type, None, created_at, position)
    try:
        return FeedEvent(id, type, json_text.loads(payload), created_at, position)
    except ValueError as error:
        return FeedEvent(id, type, None, created_at, position, unreadable=f"not JSON: {error}")


async def last_position(session: AsyncSession, *, after_position: Position = START) -> Position:
    """The position of the last event a reader may see now (or `after_position`)."""
    query = (
        select(OutboxEventRow.txid, OutboxEventRow.id)
        .where(after(session, OutboxEventRow.txid, OutboxEventRow.id, after_position))
        .order_by(OutboxEventRow.txid.desc(), OutboxEventRow.id.desc())
        .limit(1)
    )
    row = (await session.execute(query)).first()
    return after_position if row is None else Position(row[0], row[1])


async def position_before(session: AsyncSession, since: dt.datetime) -> Position | None:
    """A position just before the first event (in commit order) created at or
    after `since`, to read again from there; None if there is none."""
    row = (
        await session.execute(
            select(OutboxEventRow.txid, OutboxEventRow.id)
            .where(OutboxEventRow.created_at >= since)
            .order_by(OutboxEventRow.txid, OutboxEventRow.id)
            .limit(1)
        )
    ).first()
    return None if row is None else Position(row[0], row[1] - 1)


async def mark_delivered(
    session: AsyncSession, event_ids: Sequence[int], *, now: dt.datetime
) -> int:
    """Record delivery; how many events were still undelivered."""
    if not event_ids:
        return 0
    result = await session.execute(
        update(OutboxEventRow)
        .where(OutboxEventRow.id.in_(list(event_ids)), OutboxEventRow.delivered_at.is_(None))
        .values(
            delivered_at=now,
            attempts=OutboxEventRow.attempts + 1,
            last_attempt_at=now,
        )
    )
    return rowcount(result)


async def mark_failed(session: AsyncSession, event_id: int, *, now: dt.datetime) -> None:
    """Count a failed delivery attempt; the event is retried after `retry_after`."""
    await session.execute(
        update(OutboxEventRow)
        .where(OutboxEventRow.id == event_id)
        .values(attempts=OutboxEventRow.attempts + 1, last_attempt_at=now)
    )
