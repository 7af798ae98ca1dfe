"""Sessions: one participant's run through one flow version, with the engine's
state (JSON, as flows serialises it) and a status.

The state's language, current question and skipped questions are copied into
columns of their own whenever it is written, for the results; so is the
résident's département, which the caller reads from the state (storage does
not know which questions are places) and gives with it.

A participant has at most one open (active or paused) session; the database
enforces it. The per-message path reads the open session with a row lock
(`find_open(..., lock=True)`: SELECT ... FOR UPDATE on PostgreSQL), and with it
the opening and closing dates set in the console for its consultation (they may
change at any time, in any process), and writes it back with `save`. A message
that read it with no transaction begun (storage.message_open) writes it back
naming the row version it read: the write fails if it changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, String, bindparam, func, insert, literal_column, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.as_read import reserved_session_id, unchanged_version
from storage.columns import JsonValue
from storage.consultations import CONSOLE_DATES, Dates, console_dates, with_console_dates
from storage.errors import NotFound
from storage.models import OPEN_STATUSES, FlowVersionRow, SessionRow, SessionStatus, table
from storage.prepared import Prepared
from storage.writes import rowcount


@dataclass(frozen=True, slots=True)
class StoredSession:
    id: int
    participant_id: int | None  # None once anonymised
    flow_version_id: int
    state: JsonValue
    status: SessionStatus
    human_requested: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    last_activity_at: dt.datetime
    # The consultation's dates set in the console, read with the session by
    # `find_open` and `latest` (None: its flow files' dates apply, or not read).
    dates: Dates | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


_t = table(SessionRow)
# The columns read, in the order of the record's fields.
COLUMNS = (
    _t.c.id,
    _t.c.participant_id,
    _t.c.flow_version_id,
    _t.c.state,
    _t.c.status,
    _t.c.human_requested,
    _t.c.created_at,
    _t.c.updated_at,
    _t.c.last_activity_at,
)
_READ = len(COLUMNS)
_OPEN = [status.value for status in OPEN_STATUSES]
_INSERT = Prepared(insert(_t).returning(*COLUMNS))
# With the id reserved by the message's first read (storage.message_open): held
# on PostgreSQL (storage.write_batch), nothing to read back.
_INSERT_RESERVED = Prepared(insert(_t), deferrable=True)
_DATED = with_console_dates(_t, _t.c.flow_version_id)
# Spelled with OR rather than IN: an IN list is expanded at every execution.
_FIND_OPEN = (
    select(*COLUMNS, *CONSOLE_DATES)
    .select_from(_DATED)
    .where(
        _t.c.participant_id == bindparam("b_participant"),
        or_(*(_t.c.status == status for status in _OPEN)),
    )
)
_FIND_OPEN_LOCKED = Prepared(_FIND_OPEN.with_for_update(of=_t))
_FIND_OPEN_UNLOCKED = Prepared(_FIND_OPEN)
_LATEST = Prepared(
    select(*COLUMNS, *CONSOLE_DATES)
    .select_from(_DATED)
    .where(_t.c.participant_id == bindparam("b_participant"))
    .order_by(_t.c.id.desc())
    .limit(1)
)
_GET = select(*COLUMNS).where(_t.c.id == bindparam("b_id"))
_GET_LOCKED = _GET.with_for_update()
_v = table(FlowVersionRow)
_same_consultation = (
    select(_v.c.consultation_id).where(_v.c.id == bindparam("b_version")).scalar_subquery()
)
# The participant's earlier sessions in the consultation of a new one (prepared,
# and held on PostgreSQL: nothing reads it back in the message's transaction).
_REPLACED = Prepared(
    update(_t)
    .where(
        _t.c.participant_id == bindparam("b_participant"),
        _t.c.id < bindparam("b_id"),
        _t.c.flow_version_id.in_(select(_v.c.id).where(_v.c.consultation_id == _same_consultation)),
    )
    .values(replaced=True),
    deferrable=True,
)
# SET takes the columns given at execution.
_SAVE = Prepared(update(_t).where(_t.c.id == bindparam("b_id")), deferrable=True)
# A session row's version (PostgreSQL's xmin, as text), read with the session
# by a message opened with nothing begun (storage.message_open).
row_version = literal_column(f"{_t.name}.xmin::text", String())
# `_SAVE`, of the row version that message read (PostgreSQL only:
# storage.write_batch), returning what it changed.
_SAVE_UNCHANGED = Prepared(
    update(_t)
    .where(_t.c.id == bindparam("b_id"), row_version == bindparam("b_version", type_=String()))
    .returning(_t.c.id),
    deferrable=True,
)


def session_of(row: Row[Any] | tuple[Any, ...]) -> StoredSession:
    """The StoredSession of a row of its columns as read here (and, after them,
    the CONSOLE_DATES columns, if read)."""
    fields = list(row[:_READ])
    fields[4] = SessionStatus(fields[4])
    fields.append(console_dates(*row[_READ:]) if len(row) > _READ else None)  # dates
    return StoredSession(*fields)


async def create(
    session: AsyncSession,
    participant_id: int,
    flow_version_id: int,
    state: JsonValue,
    *,
    now: dt.datetime,
    status: SessionStatus = SessionStatus.ACTIVE,
    source: str | None = None,
    departement: str | None = None,
    first: bool = False,
) -> StoredSession:
    """A new session. The participant must have no open session (close it first
    with `save(..., status=...)`); else the transaction fails with Conflict.
    Their earlier sessions in the same consultation are marked replaced (`first`:
    the participant was created in this transaction, so they have none).
    `source`: the source tag of the link the resident came by; `departement`:
    the résident's, as the state says (see `save`). A participant's first
    session takes the id reserved with theirs, if one was (`participants.create`)."""
    version = flow_version_id
    values = {
        "participant_id": participant_id,
        "flow_version_id": flow_version_id,
        "state": state,
        "status": status.value,
        "human_requested": False,
        "created_at": now,
        "updated_at": now,
        "last_activity_at": now,
        "source": source,
        "departement": departement,
        **_progress(state),
    }
    reserved = reserved_session_id(session, participant_id)
    if reserved is not None:  # its id known: held with the message's other writes
        await _INSERT_RESERVED.write(session, {"id": reserved, **values})
        created = StoredSession(
            reserved, participant_id, flow_version_id, state, status, False, now, now, now
        )
    else:
        created = session_of((await _INSERT.execute(session, values)).one())
    if not first:
        await _REPLACED.write(
            session, {"b_participant": participant_id, "b_id": created.id, "b_version": version}
        )
    return created


def _progress(state: JsonValue) -> dict[str, Any]:
    """What the results count of a state, kept in columns of its own (the
    language, the question the conversation is at, the questions skipped) so
    that they need not read every state."""
    if not isinstance(state, dict):
        return {"language": None, "question_id": None, "skipped": None}
    skipped = state.get("skipped")
    return {
        "language": _text(state.get("language")),
        "question_id": _text(state.get("question_id")),
        "skipped": skipped if isinstance(skipped, list) else None,
    }


def _text(value: JsonValue) -> str | None:
    return value if isinstance(value, str) else None


async def find_open(
    session: AsyncSession, participant_id: int, *, lock: bool = False
) -> StoredSession | None:
    """The participant's active or paused session, or None. With `lock`, the row
    stays locked until the transaction ends (FOR UPDATE; a no-op on SQLite,
    whose transactions are serialised anyway)."""
    statement = _FIND_OPEN_LOCKED if lock else _FIND_OPEN_UNLOCKED
    row = (await statement.execute(session, {"b_participant": participant_id})).first()
    return None if row is None else session_of(row)


async def latest(session: AsyncSession, participant_id: int) -> StoredSession | None:
    """The participant's most recent session in any status (e.g. to offer a
    returning resident to resume an expired one)."""
    row = (await _LATEST.execute(session, {"b_participant": participant_id})).first()
    return None if row is None else session_of(row)


async def get(session: AsyncSession, session_id: int, *, lock: bool = False) -> StoredSession:
    row = (await session.execute(_GET_LOCKED if lock else _GET, {"b_id": session_id})).first()
    if row is None:
        raise NotFound(f"no session {session_id}")
    return session_of(row)


async def save(
    session: AsyncSession,
    session_id: int,
    *,
    now: dt.datetime,
    state: JsonValue | None = None,
    status: SessionStatus | None = None,
    human_requested: bool | None = None,
    activity: bool = True,
    departement: str | None = None,
) -> None:
    """Write back what changed (fields left None stay as they are), in one
    UPDATE. `activity` also moves last_activity_at to `now` (a resident's
    message); false for housekeeping such as expiry. `departement` is written
    with `state`, as what that state says (None: no place answered, or the
    place answer withdrawn), in the same UPDATE: no statement of its own on the
    resident's path."""
    values: dict[str, Any] = {"b_id": session_id, "updated_at": now}
    if state is not None:
        values["state"] = state
        values["departement"] = departement
        values.update(_progress(state))
    if status is not None:
        values["status"] = status.value
    if human_requested is not None:
        values["human_requested"] = human_requested
    if activity:
        values["last_activity_at"] = now
    version = unchanged_version(session, session_id)
    if version is not None:  # its statement fails if the session changed meanwhile
        await _SAVE_UNCHANGED.write(session, {**values, "b_version": version}, guard=True)
        return
    # Held on PostgreSQL (storage.write_batch): its count is then unknown, and
    # the row is there, locked by find_open or written by this transaction.
    if await _SAVE.write(session, values) == 0:
        raise NotFound(f"no session {session_id}")


async def inactive(
    session: AsyncSession, *, inactive_since: dt.datetime, limit: int = 1000
) -> list[StoredSession]:
    """Open sessions with no activity since `inactive_since`, locked until the
    transaction ends (those `expire_inactive` is about to expire)."""
    rows = await session.execute(
        select(*COLUMNS)
        .where(
            or_(*(_t.c.status == status for status in _OPEN)),
            _t.c.last_activity_at < inactive_since,
        )
        .order_by(_t.c.id)
        .limit(limit)
        .with_for_update()
    )
    return [session_of(row) for row in rows]


async def expire_inactive(
    session: AsyncSession, *, inactive_since: dt.datetime, now: dt.datetime
) -> int:
    """Mark open sessions with no activity since `inactive_since` expired; how many."""
    result = await session.execute(
        update(SessionRow)
        .where(
            SessionRow.status.in_([s.value for s in OPEN_STATUSES]),
            SessionRow.last_activity_at < inactive_since,
        )
        .values(status=SessionStatus.EXPIRED.value, updated_at=now)
    )
    return rowcount(result)


async def count_by_status(session: AsyncSession) -> dict[SessionStatus, int]:
    rows = await session.execute(
        select(SessionRow.status, func.count()).group_by(SessionRow.status)
    )
    counts = dict.fromkeys(SessionStatus, 0)
    for status, count in rows:
        counts[SessionStatus(status)] = count
    return counts
