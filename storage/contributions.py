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

from sqlalchemy import (
    BigInteger,
    Integer,
    Text,
    any_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    select,
    text,
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
from storage.prepared import Prepared, on_sqlite_driver

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

# A contribution as the feeds read it, a plain tuple (a page of an export is
# thousands; `page` makes them StoredContributions): id, session_id,
# consultation_id, flow_version_id, participant_id, channel, language,
# partial, pseudonym, completed_at (UTC), txid.
ContributionTuple = tuple[int, int, str, int, "int | None", str, str, bool, str, dt.datetime, int]
# A current answer as it may leave, the fields of LeavingAnswer in its order,
# the moderation status as its text.
AnswerTuple = tuple[int, int, str, JsonValue, str, str, "str | None", "str | None"]

# Only the columns the feeds need: reading the others (times, raw text) cost
# more than the rest of a page (a time column is parsed in Python, row by row).
# Read as the driver gives them (no per-row type processing): the value as
# JSON text (cast in SQL, on either database), parsed here; the completion time
# as SQLite's text or asyncpg's datetime (`_utc`).
_LEAVING = (
    type_coerce(_a.c.id, Integer()),
    type_coerce(_a.c.session_id, Integer()),
    type_coerce(_a.c.question_id, Text()),
    # The value of an answer that needs no moderation, or was approved (as
    # written, when it has no redacted text); never of one pending or rejected.
    cast(
        case(
            (_a.c.moderation_status.is_(None), _a.c.value),
            (_a.c.moderation_status == ModerationStatus.APPROVED.value, _a.c.value),
        ),
        Text(),
    ),
    type_coerce(_a.c.question_text, Text()),
    type_coerce(_a.c.language, Text()),
    type_coerce(_a.c.moderation_status, Text()),
    type_coerce(
        case((_a.c.moderation_status == ModerationStatus.APPROVED.value, _a.c.redacted_text)),
        Text(),
    ),
)
_COLUMNS = (
    type_coerce(_t.c.id, Integer()),
    type_coerce(_t.c.session_id, Integer()),
    type_coerce(_t.c.consultation_id, Text()),
    type_coerce(_t.c.flow_version_id, Integer()),
    type_coerce(_t.c.participant_id, Integer()),
    type_coerce(_t.c.channel, Text()),
    type_coerce(_t.c.language, Text()),
    _t.c.partial,
    type_coerce(_t.c.pseudonym, Text()),
    type_coerce(_t.c.completed_at, Text()),
    type_coerce(_t.c.txid, Integer()),
)
# A table just filled and not analysed yet (autovacuum has not come by, or is
# off) has PostgreSQL read every remaining row of the consultation and sort
# them, for each page; walking the feed's index in order is right whatever the
# statistics say, and what the planner picks once they exist.
_NO_BITMAP = text(
    "SELECT current_setting('enable_bitmapscan'), set_config('enable_bitmapscan', 'off', true)"
)
_BITMAP_AGAIN = text("SELECT set_config('enable_bitmapscan', :setting, true)")


# Held on PostgreSQL (storage.write_batch): the row replaced and its
# replacement (ordered after the DELETE there) go with the message's other writes.
_DELETE_OF_SESSION = Prepared(
    delete(_t).where(_t.c.session_id == bindparam("b_session")), deferrable=True
)
_INSERT = Prepared(insert(_t), deferrable=True)


def _utc(value: str | dt.datetime) -> dt.datetime:
    if isinstance(value, str):  # SQLite: naive UTC text
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return value if value.tzinfo is dt.UTC else value.astimezone(dt.UTC)


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
) -> None:
    """Store the session's contribution (replacing an earlier one) and enqueue
    `contribution.completed` (or `.partial`) with `payload`."""
    await _DELETE_OF_SESSION.write(session, {"b_session": session_id})
    await _INSERT.write(
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
    await outbox.add(
        session, PARTIAL if partial else COMPLETED, payload, now=now, participant_id=participant_id
    )


async def page_rows(
    session: AsyncSession,
    consultation_id: str,
    *,
    after_position: Position = START,
    limit: int = 100,
    since: dt.datetime | None = None,
) -> list[ContributionTuple]:
    """The consultation's contributions past `after_position`, in commit order."""
    query = select(*_COLUMNS).where(
        _t.c.consultation_id == consultation_id,
        after(session, _t.c.txid, _t.c.id, after_position),
    )
    if since is not None:
        query = query.where(_t.c.completed_at >= since)
    query = query.order_by(_t.c.txid, _t.c.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        setting = (await session.execute(_NO_BITMAP)).scalar_one()
        rows = (await session.execute(query)).all()
        await session.execute(_BITMAP_AGAIN, {"setting": setting})
    else:
        rows = (await session.execute(query)).all()
    return [(*row[:7], bool(row[7]), row[8], _utc(row[9]), row[10]) for row in rows]


async def page(
    session: AsyncSession,
    consultation_id: str,
    *,
    after_position: Position = START,
    limit: int = 100,
    since: dt.datetime | None = None,
) -> list[StoredContribution]:
    """The consultation's contributions past `after_position`, in commit order."""
    rows = await page_rows(
        session, consultation_id, after_position=after_position, limit=limit, since=since
    )
    return [StoredContribution(*row[:10], Position(row[10], row[0])) for row in rows]


def position_of(row: ContributionTuple) -> Position:
    return Position(row[10], row[0])


# The page's sessions as one parameter, whatever the page's size: an array on
# PostgreSQL (an index scan whatever the planner's statistics say: with a
# subquery, a table just filled and not yet analysed was joined in a nested
# loop, seconds a page), a JSON array on SQLite (where a subquery for the
# page's range of commit order walked the consultation's earlier rows).
_ANSWERS_OF_SESSIONS = Prepared(
    select(*_LEAVING).where(
        _a.c.session_id == any_(bindparam("b_sessions", type_=ARRAY(BigInteger()))),
        _a.c.superseded_at.is_(None),
    )
)
_SESSIONS = func.json_each(bindparam("b_sessions", type_=Text())).table_valued("value")
_ANSWERS_OF_SESSIONS_SQLITE = Prepared(
    select(*_LEAVING).where(
        _a.c.session_id.in_(select(_SESSIONS.c.value)), _a.c.superseded_at.is_(None)
    )
)


async def answer_rows(
    session: AsyncSession, session_ids: list[int]
) -> dict[int, list[AnswerTuple]]:
    """The current answers of each of these sessions, as they may leave (in no
    particular order: `bot.contributions.leaving` puts them in the order asked)."""
    found: dict[int, list[AnswerTuple]] = {session_id: [] for session_id in session_ids}
    if not session_ids:
        return found
    # On the driver directly: through SQLAlchemy, each row cost more than
    # what is done with it.
    if session.get_bind().dialect.name == "postgresql":
        read = await _ANSWERS_OF_SESSIONS.execute(session, {"b_sessions": session_ids})
    else:
        await on_sqlite_driver(session)
        values = {"b_sessions": json.dumps(session_ids)}
        read = await _ANSWERS_OF_SESSIONS_SQLITE.execute(session, values)
    rows = read.rows
    # Every value of the page parsed at once (one JSON array): a parse per
    # answer cost more than the rest of the row.
    parsed = _values(["null" if row[3] is None else row[3] for row in rows])
    for (id_, session_id, question, _, wording, language, status, redacted), value in zip(
        rows, parsed, strict=True
    ):
        found[session_id].append(
            (id_, session_id, question, value, wording, language, status, redacted)
        )
    return found


async def answers_of(
    session: AsyncSession, page: list[StoredContribution]
) -> dict[int, list[LeavingAnswer]]:
    """The current answers of each session of `page`, as they may leave (in no
    particular order)."""
    rows = await answer_rows(session, [row.session_id for row in page])
    return {
        session_id: [
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
            for id_, _, question, value, wording, language, status, redacted in answers
        ]
        for session_id, answers in rows.items()
    }


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
