"""Contributions: what the consultation engine gets of a session, written when
the resident completes it (or, if the flow allows, partially when it expires),
in the same transaction as the outbox event that announces it.

Read a page at a time in commit order (`storage.commit_order`). Recording a
session again (a partial one completed later) replaces its row, so the feed
hands it out again. Erasing a participant removes their contributions, takes
their words out of the events already stored, and announces it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.columns import JsonValue
from storage.commit_order import START, Position, after
from storage.models import ContributionRow, OutboxEventRow, SessionRow, table
from storage.prepared import Prepared

COMPLETED = "contribution.completed"
PARTIAL = "contribution.partial"
ERASED = "participant.erased"
# What an event keeps of its payload once its participant is erased: ids only.
KEPT_WHEN_ERASED = frozenset(
    {
        "session",
        "session_id",
        "answer",
        "answer_id",
        "consultation",
        "consultation_id",
        "question_id",
        "flow_version",
    }
)


@dataclass(frozen=True, slots=True)
class StoredContribution:
    id: int
    session_id: int
    consultation_id: str
    flow_version_id: int
    participant_id: int | None
    channel: str
    language: str
    partial: bool
    pseudonym: str
    completed_at: dt.datetime
    position: Position


_t = table(ContributionRow)
_COLUMNS = (
    _t.c.id,
    _t.c.session_id,
    _t.c.consultation_id,
    _t.c.flow_version_id,
    _t.c.participant_id,
    _t.c.channel,
    _t.c.language,
    _t.c.partial,
    _t.c.pseudonym,
    _t.c.completed_at,
    _t.c.txid,
)


_DELETE_OF_SESSION = Prepared(delete(_t).where(_t.c.session_id == bindparam("b_session")))
_INSERT = Prepared(insert(_t))


def _contribution(row: Row[Any]) -> StoredContribution:
    (id_, session_id, consultation, version_id, participant, channel, language, partial) = row[:8]
    pseudonym, completed_at, txid = row[8:]
    return StoredContribution(
        id_,
        session_id,
        consultation,
        version_id,
        participant,
        channel,
        language,
        partial,
        pseudonym,
        completed_at,
        Position(txid, id_),
    )


async def record(
    session: AsyncSession,
    *,
    session_id: int,
    consultation_id: str,
    flow_version_id: int,
    participant_id: int | None,
    channel: str,
    language: str,
    partial: bool,
    pseudonym: str,
    now: dt.datetime,
    payload: JsonValue,
) -> int:
    """Store the session's contribution (replacing an earlier one) and enqueue
    `contribution.completed` (or `.partial`) with `payload`; the event's id."""
    await _DELETE_OF_SESSION.execute(session, {"b_session": session_id})
    await _INSERT.execute(
        session,
        {
            "session_id": session_id,
            "consultation_id": consultation_id,
            "flow_version_id": flow_version_id,
            "participant_id": participant_id,
            "channel": channel,
            "language": language,
            "partial": partial,
            "pseudonym": pseudonym,
            "completed_at": now,
        },
    )
    return await outbox.enqueue(
        session, PARTIAL if partial else COMPLETED, payload, now=now, participant_id=participant_id
    )


async def page(
    session: AsyncSession,
    consultation_id: str,
    *,
    after_position: Position = START,
    limit: int = 100,
    since: dt.datetime | None = None,
) -> list[StoredContribution]:
    """The consultation's contributions past `after_position`, in commit order."""
    query = select(*_COLUMNS).where(
        _t.c.consultation_id == consultation_id,
        after(session, _t.c.txid, _t.c.id, after_position),
    )
    if since is not None:
        query = query.where(_t.c.completed_at >= since)
    rows = await session.execute(query.order_by(_t.c.txid, _t.c.id).limit(limit))
    return [_contribution(row) for row in rows]


async def versions_of(
    session: AsyncSession, consultation_id: str, *, since: dt.datetime | None = None
) -> list[int]:
    """The flow version ids the consultation's contributions were given on."""
    query = select(_t.c.flow_version_id).where(_t.c.consultation_id == consultation_id)
    if since is not None:
        query = query.where(_t.c.completed_at >= since)
    rows = await session.scalars(query.distinct().order_by(_t.c.flow_version_id))
    return list(rows)


async def erase_participant(session: AsyncSession, participant_id: int, *, now: dt.datetime) -> int:
    """Before a participant's rows are deleted: drop their contributions, keep
    only ids in the payloads of their stored events, and enqueue
    `participant.erased` naming their sessions; how many sessions it names."""
    sessions = list(
        (
            await session.scalars(
                select(SessionRow.id)
                .where(SessionRow.participant_id == participant_id)
                .order_by(SessionRow.id)
            )
        ).all()
    )
    await session.execute(
        delete(ContributionRow).where(ContributionRow.participant_id == participant_id)
    )
    events = (
        await session.execute(
            select(OutboxEventRow.id, OutboxEventRow.payload).where(
                OutboxEventRow.participant_id == participant_id
            )
        )
    ).all()
    if events:
        events_table = table(OutboxEventRow)
        await session.execute(
            update(events_table)
            .where(events_table.c.id == bindparam("event_id"))
            .values(payload=bindparam("scrubbed")),
            [{"event_id": event_id, "scrubbed": scrubbed(payload)} for event_id, payload in events],
        )
    if sessions:
        await outbox.enqueue(session, ERASED, {"sessions": list[JsonValue](sessions)}, now=now)
    return len(sessions)


def scrubbed(payload: JsonValue) -> JsonValue:
    """An event payload without its participant's words: ids only."""
    kept: dict[str, JsonValue] = {"erased": True}
    if isinstance(payload, dict):
        kept.update({key: value for key, value in payload.items() if key in KEPT_WHEN_ERASED})
    return kept
