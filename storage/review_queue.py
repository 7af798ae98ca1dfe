"""The review queue: current free-text answers for moderators, oldest first,
a page at a time (cursor: the last id seen), with filters, each item with the
question as it was asked and where it came from (consultation, flow version,
channel, pseudonymous participant).

Whether an answer holds personal data is found by the application (storage
knows no text analysis) when the answer is written (`answers.record`), so the
"contains personal data" filter is an indexed column. Answers written before
that (or by other means) are NULL: `unscanned` hands them out and
`mark_scanned` records the findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, String, any_, bindparam, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import InvalidModeration
from storage.models import (
    AnswerRow,
    FlowVersionRow,
    ModerationStatus,
    ParticipantRow,
    SessionRow,
    table,
)

PAGE = 50
MAX_SEARCH = 200
# A text search reads at most this many answers per page, so that a word no
# answer holds costs a bounded time; the page then offers to search further.
SEARCH_WINDOW = 5000
# The queue's count stops past this many answers ("more than 5,000").
COUNTED = 5000


@dataclass(frozen=True, slots=True)
class QueueFilter:
    status: ModerationStatus = ModerationStatus.PENDING
    consultation_id: str | None = None
    # The consultations the moderator may see; None: all of them.
    allowed_consultations: frozenset[str] | None = None
    question_id: str | None = None
    channel: str | None = None
    answered_from: dt.datetime | None = None
    answered_before: dt.datetime | None = None
    personal_data: bool | None = None  # True: only those found to hold some
    search: str | None = None  # words the text contains (case-insensitive)


@dataclass(frozen=True, slots=True)
class QueueItem:
    id: int
    session_id: int
    consultation_id: str
    flow_version: int
    question_id: str
    question_text: str  # the wording shown
    language: str
    text: str  # what the resident typed
    answered_at: dt.datetime
    status: ModerationStatus
    redacted_text: str | None
    tags: tuple[str, ...]
    personal_data: bool | None
    moderated_by: str | None
    moderated_at: dt.datetime | None
    rejection_reason: str | None
    moderation_note: str | None
    held_by: str | None
    held_until: dt.datetime | None
    channel: str | None  # None once anonymised
    participant_id: int | None


_COLUMNS = (
    AnswerRow.id,
    AnswerRow.session_id,
    FlowVersionRow.consultation_id,
    FlowVersionRow.version,
    AnswerRow.question_id,
    AnswerRow.question_text,
    AnswerRow.language,
    AnswerRow.raw_text,
    AnswerRow.value,
    AnswerRow.answered_at,
    AnswerRow.moderation_status,
    AnswerRow.redacted_text,
    AnswerRow.tags,
    AnswerRow.personal_data,
    AnswerRow.moderated_by,
    AnswerRow.moderated_at,
    AnswerRow.rejection_reason,
    AnswerRow.moderation_note,
    AnswerRow.held_by,
    AnswerRow.held_until,
    ParticipantRow.channel,
    SessionRow.participant_id,
)


def _item(row: Row[Any]) -> QueueItem:
    text = row.raw_text if row.raw_text is not None else str(row.value)
    return QueueItem(
        id=row.id,
        session_id=row.session_id,
        consultation_id=row.consultation_id,
        flow_version=row.version,
        question_id=row.question_id,
        question_text=row.question_text,
        language=row.language,
        text=text,
        answered_at=row.answered_at,
        status=ModerationStatus(row.moderation_status),
        redacted_text=row.redacted_text,
        tags=tuple(row.tags or ()),
        personal_data=row.personal_data,
        moderated_by=row.moderated_by,
        moderated_at=row.moderated_at,
        rejection_reason=row.rejection_reason,
        moderation_note=row.moderation_note,
        held_by=row.held_by,
        held_until=row.held_until,
        channel=row.channel,
        participant_id=row.participant_id,
    )


def _status(status: ModerationStatus) -> Any:
    """The status written into the SQL, not bound: only then can the database
    use the partial indexes of pending answers (ix_answers_pending,
    ix_answers_unscanned)."""
    return literal(status.value, String(16), literal_execute=True)


def _base() -> Any:
    return (
        select(*_COLUMNS)
        .join(SessionRow, SessionRow.id == AnswerRow.session_id)
        .join(FlowVersionRow, FlowVersionRow.id == SessionRow.flow_version_id)
        .outerjoin(ParticipantRow, ParticipantRow.id == SessionRow.participant_id)
    )


async def page(
    session: AsyncSession,
    criteria: QueueFilter = QueueFilter(),
    *,
    after_id: int = 0,
    until_id: int | None = None,
    limit: int = PAGE,
) -> list[QueueItem]:
    """Up to `limit` current answers matching `criteria` with an id above
    `after_id` (and at most `until_id`), oldest first."""
    query, order = _matching(session, _base(), criteria)
    query = query.where(AnswerRow.id > after_id)
    if until_id is not None:
        query = query.where(AnswerRow.id <= until_id)
    rows = await session.execute(query.order_by(*order).limit(limit))
    return [_item(row) for row in rows]


async def count(session: AsyncSession, criteria: QueueFilter, *, at_most: int | None = None) -> int:
    """How many current answers match `criteria`, counted up to `at_most + 1`
    (default COUNTED; more is said as "more than `at_most`"): the count reads
    the answers it counts, so it is bounded as a page is."""
    if criteria.search:
        raise InvalidModeration("a text search reads a window at a time: it has no count")
    ids = (
        select(AnswerRow.id)
        .join(SessionRow, SessionRow.id == AnswerRow.session_id)
        .join(FlowVersionRow, FlowVersionRow.id == SessionRow.flow_version_id)
    )
    query, _ = _matching(session, ids, criteria)
    limit = (COUNTED if at_most is None else at_most) + 1
    found = await session.scalar(select(func.count()).select_from(query.limit(limit).subquery()))
    return int(found or 0)


def _matching(
    session: AsyncSession, query: Any, criteria: QueueFilter
) -> tuple[Any, tuple[Any, ...]]:
    """`query` narrowed to the current answers matching `criteria`, and the
    order that lets the database use its index for them."""
    query = query.where(AnswerRow.superseded_at.is_(None))
    query = query.where(AnswerRow.moderation_status == _status(criteria.status))
    if criteria.allowed_consultations is not None:
        query = query.where(FlowVersionRow.consultation_id.in_(criteria.allowed_consultations))
    if criteria.consultation_id is not None:
        query = query.where(FlowVersionRow.consultation_id == criteria.consultation_id)
    order: tuple[Any, ...] = (AnswerRow.id,)
    if criteria.question_id is not None and session.get_bind().dialect.name == "postgresql":
        # `= ANY (ARRAY[...])` and ordered by (question, id): with a plain `=`,
        # PostgreSQL's planner walks ix_answers_pending in id order, filtering
        # (through every other question's answers when this one's came late);
        # so it uses ix_answers_pending_question.
        query = query.where(AnswerRow.question_id == any_(array([criteria.question_id])))
        order = (AnswerRow.question_id, AnswerRow.id)
    elif criteria.question_id is not None:
        query = query.where(AnswerRow.question_id == criteria.question_id)
    if criteria.channel is not None:
        # A correlated EXISTS keeps the answers in id order as the outer loop
        # (joined, SQLite started from the participants of the channel and
        # sorted all their answers).
        query = query.where(
            select(_p.c.id)
            .where(_p.c.id == SessionRow.participant_id, _p.c.channel == criteria.channel)
            .exists()
        )
    if criteria.answered_from is not None:
        query = query.where(AnswerRow.answered_at >= criteria.answered_from)
    if criteria.answered_before is not None:
        query = query.where(AnswerRow.answered_at < criteria.answered_before)
    if criteria.personal_data:
        # Spelled as the partial index ix_answers_pending_personal is.
        query = query.where(text("answers.personal_data = true"))
    elif criteria.personal_data is not None:
        query = query.where(AnswerRow.personal_data.is_(False))
    if criteria.search:
        if len(criteria.search) > MAX_SEARCH:
            raise InvalidModeration(f"search for at most {MAX_SEARCH} characters")
        query = query.where(AnswerRow.raw_text.icontains(criteria.search, autoescape=True))
    return query, order


async def search_window_end(
    session: AsyncSession, criteria: QueueFilter, *, after_id: int = 0
) -> int | None:
    """Where a text search of one page stops (pass it to `page` as `until_id`):
    the id of the SEARCH_WINDOW-th current answer of the status after
    `after_id`; None when fewer remain (the search reaches the end)."""
    found: int | None = await session.scalar(
        select(AnswerRow.id)
        .where(
            AnswerRow.superseded_at.is_(None),
            AnswerRow.id > after_id,
            AnswerRow.moderation_status == _status(criteria.status),
        )
        .order_by(AnswerRow.id)
        .offset(SEARCH_WINDOW - 1)
        .limit(1)
    )
    return found


async def item(session: AsyncSession, answer_id: int) -> QueueItem | None:
    """One free-text answer, whatever its status; None if there is none."""
    row = (
        await session.execute(
            _base().where(AnswerRow.id == answer_id, AnswerRow.moderation_status.is_not(None))
        )
    ).first()
    return None if row is None else _item(row)


async def unscanned(session: AsyncSession, *, limit: int = 500) -> list[tuple[int, str]]:
    """Pending answers not yet scanned for personal data: (id, text), oldest first."""
    rows = await session.execute(
        select(AnswerRow.id, AnswerRow.raw_text)
        .where(
            AnswerRow.moderation_status == _status(ModerationStatus.PENDING),
            AnswerRow.personal_data.is_(None),
        )
        .order_by(AnswerRow.id)
        .limit(limit)
    )
    return [(row.id, row.raw_text or "") for row in rows]


_t = table(AnswerRow)
_p = table(ParticipantRow).alias("channel_of")
_MARK = update(_t).where(_t.c.id == bindparam("b_id")).values(personal_data=bindparam("b_found"))


async def mark_scanned(session: AsyncSession, findings: Mapping[int, bool]) -> None:
    """Record whether each answer holds personal data."""
    if findings:
        await session.execute(
            _MARK, [{"b_id": answer_id, "b_found": found} for answer_id, found in findings.items()]
        )
