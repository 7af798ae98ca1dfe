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
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    Row,
    Text,
    and_,
    any_,
    bindparam,
    case,
    cast,
    delete,
    insert,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.columns import JsonValue
from storage.commit_order import START, Position, after
from storage.models import (
    AnswerRow,
    ContributionRow,
    ModerationStatus,
    OutboxEventRow,
    SessionRow,
    table,
)
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


@dataclass(frozen=True, slots=True)
class LeavingAnswer:
    """A current answer as the feeds read it: the value of a structured answer,
    the redacted text of an approved one; never a resident's own unmoderated
    words (they are not even read)."""

    id: int
    session_id: int
    question_id: str
    value: JsonValue  # None for an answer under moderation
    question_text: str
    language: str
    moderation_status: ModerationStatus | None
    redacted_text: str | None  # approved answers only


_t = table(ContributionRow)
_a = table(AnswerRow)
_STATUS = {status.value: status for status in ModerationStatus}
# Only the columns the feeds need: reading the others (times, raw text) cost
# more than the rest of a page (a time column is parsed in Python, row by row).
# Read as the driver gives them (no per-row type processing): the value as
# JSON text (cast in SQL, on either database), parsed here.
_LEAVING = (
    type_coerce(_a.c.id, Integer()),
    type_coerce(_a.c.session_id, Integer()),
    type_coerce(_a.c.question_id, Text()),
    cast(case((_a.c.moderation_status.is_(None), _a.c.value)), Text()),
    type_coerce(_a.c.question_text, Text()),
    type_coerce(_a.c.language, Text()),
    type_coerce(_a.c.moderation_status, Text()),
    type_coerce(
        case((_a.c.moderation_status == ModerationStatus.APPROVED.value, _a.c.redacted_text)),
        Text(),
    ),
)
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
    rows = (await session.execute(query.order_by(_t.c.txid, _t.c.id).limit(limit))).all()
    return [_contribution(row) for row in rows]


def _answers_of_page(since: bool) -> Prepared:
    # The page's contributions are the consultation's rows in (after, last] of
    # commit order (and since, if given): one statement, whatever the page size.
    past = or_(
        _t.c.txid > bindparam("b_after_tx"),
        and_(_t.c.txid == bindparam("b_after_tx"), _t.c.id > bindparam("b_after_id")),
    )
    upto = or_(
        _t.c.txid < bindparam("b_last_tx"),
        and_(_t.c.txid == bindparam("b_last_tx"), _t.c.id <= bindparam("b_last_id")),
    )
    contributions = select(_t.c.session_id).where(
        _t.c.consultation_id == bindparam("b_consultation"), past, upto
    )
    if since:
        contributions = contributions.where(_t.c.completed_at >= bindparam("b_since"))
    return Prepared(
        select(*_LEAVING)
        .where(_a.c.session_id.in_(contributions.scalar_subquery()), _a.c.superseded_at.is_(None))
        .order_by(_a.c.id)
    )


_ANSWERS_OF_PAGE = {since: _answers_of_page(since) for since in (False, True)}
# On PostgreSQL, the page's sessions as one array parameter: an index scan
# whatever the planner's statistics say (with the subquery, a table just
# filled and not yet analysed was joined in a nested loop, seconds a page).
_ANSWERS_OF_SESSIONS = (
    select(*_LEAVING)
    .where(
        _a.c.session_id == any_(bindparam("b_sessions", type_=ARRAY(BigInteger()))),
        _a.c.superseded_at.is_(None),
    )
    .order_by(_a.c.id)
)


async def answers_of(
    session: AsyncSession,
    page: list[StoredContribution],
    *,
    after_position: Position,
    since: dt.datetime | None = None,
) -> dict[int, list[LeavingAnswer]]:
    """The current answers of each session of `page` (as `page()` gave it
    with these arguments), oldest first, as they may leave."""
    found: dict[int, list[LeavingAnswer]] = {row.session_id: [] for row in page}
    if not page:
        return found
    rows: list[Any]
    if session.get_bind().dialect.name == "postgresql":
        sessions = [row.session_id for row in page]
        result = await session.execute(_ANSWERS_OF_SESSIONS, {"b_sessions": sessions})
        rows = list(result.tuples().all())
    else:
        last = page[-1].position
        values: dict[str, Any] = {
            "b_consultation": page[0].consultation_id,
            "b_after_tx": after_position.txid,
            "b_after_id": after_position.id,
            "b_last_tx": last.txid,
            "b_last_id": last.id,
        }
        if since is not None:
            values["b_since"] = since
        rows = (await _ANSWERS_OF_PAGE[since is not None].execute(session, values)).rows
    # Every value of the page parsed at once (one JSON array): a parse per
    # answer cost more than the rest of the row.
    parsed = _values(["null" if row[3] is None else row[3] for row in rows])
    for (id_, session_id, question, _, wording, language, status, redacted), value in zip(
        rows, parsed, strict=True
    ):
        if session_id not in found:
            continue  # replaced since the page was read: not in it
        found[session_id].append(
            LeavingAnswer(
                id_,
                session_id,
                question,
                value,
                wording,
                language,
                None if status is None else _STATUS[status],
                redacted,
            )
        )
    return found


def _values(texts: list[str]) -> list[JsonValue]:
    """JSON texts, each a whole value, parsed in one go."""
    parsed: list[JsonValue] = json.loads("[" + ",".join(texts) + "]")
    return parsed


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
