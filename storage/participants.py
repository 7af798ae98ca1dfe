"""Participants: pseudonymous residents, one per channel and keyed hash of the
platform's user id (computed by the application; storage never sees the id)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.as_read import reserved_ids
from storage.errors import NotFound
from storage.models import ParticipantRow, TeamMessageRow, table
from storage.prepared import Prepared
from storage.writes import insert_if_new


@dataclass(frozen=True, slots=True)
class Participant:
    id: int
    channel: str
    user_hash: str
    language: str | None
    consented_at: dt.datetime | None
    reachable: bool
    address: bytes | None  # encrypted by the application
    created_at: dt.datetime


_t = table(ParticipantRow)
# The columns read, in the order of the record's fields.
COLUMNS = (
    _t.c.id,
    _t.c.channel,
    _t.c.user_hash,
    _t.c.language,
    _t.c.consented_at,
    _t.c.reachable,
    _t.c.address,
    _t.c.created_at,
)
_FIND = select(*COLUMNS).where(
    _t.c.channel == bindparam("b_channel"), _t.c.user_hash == bindparam("b_user_hash")
)
_FIND_LOCKED = Prepared(_FIND.with_for_update())
_FIND_UNLOCKED = Prepared(_FIND)
# The same, locked, and whether the team wrote them messages still waiting: one
# round trip instead of two on the path of every message (spelled as the partial
# index ix_team_messages_waiting is, so that SQLite uses it).
_team = table(TeamMessageRow)
WAITING = (
    exists()
    .where(_team.c.participant_id == _t.c.id, text("state <> 'delivered'"))
    .label("team_waiting")
)
_FIND_FOR_MESSAGE = Prepared(
    select(*COLUMNS, WAITING)
    .where(_t.c.channel == bindparam("b_channel"), _t.c.user_hash == bindparam("b_user_hash"))
    .with_for_update(of=_t)
)
_GET = select(*COLUMNS).where(_t.c.id == bindparam("b_id"))
_INSERT = Prepared(insert(_t).returning(*COLUMNS))
# With the id reserved by the message's first read (storage.message_open): held
# on PostgreSQL (storage.write_batch), nothing to read back.
_INSERT_RESERVED = Prepared(insert(_t), deferrable=True)
_INSERT_IF_NEW = insert_if_new(
    _t,
    ("channel", "user_hash", "language", "reachable", "created_at"),
    ("channel", "user_hash"),
    returning=[column.name for column in COLUMNS],
)
_CHANGE = Prepared(update(_t).where(_t.c.id == bindparam("b_id")))


async def find(
    session: AsyncSession, channel: str, user_hash: str, *, lock: bool = False
) -> Participant | None:
    """The participant, or None. `lock` takes the row lock (SELECT ... FOR UPDATE
    on PostgreSQL) so that one participant's messages are handled one at a time
    even across processes."""
    statement = _FIND_LOCKED if lock else _FIND_UNLOCKED
    result = await statement.execute(session, {"b_channel": channel, "b_user_hash": user_hash})
    row = result.first()
    return None if row is None else Participant(*row)


async def find_for_message(
    session: AsyncSession, channel: str, user_hash: str
) -> tuple[Participant | None, bool]:
    """`find` with the lock, for a message of theirs: the participant (or None)
    and whether the consultation team has messages waiting for them."""
    values = {"b_channel": channel, "b_user_hash": user_hash}
    row = (await _FIND_FOR_MESSAGE.execute(session, values)).first()
    if row is None:
        return None, False
    *participant, waiting = row
    return Participant(*participant), bool(waiting)


async def get(session: AsyncSession, participant_id: int) -> Participant:
    row = (await session.execute(_GET, {"b_id": participant_id})).first()
    if row is None:
        raise NotFound(f"no participant {participant_id}")
    return Participant(*row)


async def get_or_create(
    session: AsyncSession,
    channel: str,
    user_hash: str,
    *,
    now: dt.datetime,
    language: str | None = None,
    lock: bool = True,
) -> tuple[Participant, bool]:
    """The participant for (channel, user_hash), created if new; and whether it
    was created. One round trip when the participant exists. The row is locked
    (FOR UPDATE on PostgreSQL) unless `lock` is false; a concurrent creation by
    another process is waited for, never duplicated."""
    found = await find(session, channel, user_hash, lock=lock)
    if found is not None:
        return found, False
    values = {
        "channel": channel,
        "user_hash": user_hash,
        "language": language,
        "reachable": True,
        "created_at": now,
    }
    row = (await session.execute(_INSERT_IF_NEW, values)).first()
    if row is not None:
        return Participant(*row), True
    # Another transaction created it between our select and insert: it has
    # committed by now (the insert waited for it), so it is visible.
    found = await find(session, channel, user_hash, lock=lock)
    if found is None:  # pragma: no cover - the conflict above guarantees the row
        raise NotFound(f"participant {channel}/{user_hash[:8]}… vanished")
    return found, False


async def create(
    session: AsyncSession,
    channel: str,
    user_hash: str,
    *,
    now: dt.datetime,
    language: str | None = None,
    consented_at: dt.datetime | None = None,
    address: bytes | None = None,
) -> Participant:
    """A new participant. If one exists for the pair (another process created
    it meanwhile), the transaction fails with Conflict: retrying finds it. With
    an id reserved for them by their message's read (storage.message_open),
    written with the message's other writes."""
    values = {
        "channel": channel,
        "user_hash": user_hash,
        "language": language,
        "consented_at": consented_at,
        "reachable": True,
        "address": address,
        "created_at": now,
    }
    reserved = reserved_ids(session, channel, user_hash)
    if reserved is not None:  # its id known: held with the message's other writes
        await _INSERT_RESERVED.write(session, {"id": reserved[0], **values})
        return Participant(
            reserved[0], channel, user_hash, language, consented_at, True, address, now
        )
    return Participant(*(await _INSERT.execute(session, values)).one())


async def change(
    session: AsyncSession,
    participant_id: int,
    *,
    language: str | None = None,
    consented_at: dt.datetime | None = None,
    reachable: bool | None = None,
    address: bytes | None = None,
) -> None:
    """Set the given fields (those left None are unchanged)."""
    values: dict[str, Any] = {
        key: value
        for key, value in (
            ("language", language),
            ("consented_at", consented_at),
            ("reachable", reachable),
            ("address", address),
        )
        if value is not None
    }
    if not values:
        return
    result = await _CHANGE.execute(session, {"b_id": participant_id, **values})
    if result.rowcount == 0:
        raise NotFound(f"no participant {participant_id}")
