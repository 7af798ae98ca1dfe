"""Answers: one current answer per question of a session, older ones kept as
superseded (the resident went "back" or restarted), each with the exact question
wording shown and its language. Free-text answers carry moderation fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict, Unpack

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.columns import JsonValue
from storage.errors import NotFound
from storage.models import AnswerRow, FlowVersionRow, ModerationStatus, SessionRow, table
from storage.prepared import Prepared
from storage.writes import rowcount


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    id: int
    session_id: int
    question_id: str
    value: JsonValue
    raw_text: str | None
    question_text: str
    language: str
    answered_at: dt.datetime
    superseded_at: dt.datetime | None
    moderation_status: ModerationStatus | None
    redacted_text: str | None
    tags: tuple[str, ...]
    moderated_at: dt.datetime | None

    @property
    def superseded(self) -> bool:
        return self.superseded_at is not None


_COLUMNS = (
    AnswerRow.id,
    AnswerRow.session_id,
    AnswerRow.question_id,
    AnswerRow.value,
    AnswerRow.raw_text,
    AnswerRow.question_text,
    AnswerRow.language,
    AnswerRow.answered_at,
    AnswerRow.superseded_at,
    AnswerRow.moderation_status,
    AnswerRow.redacted_text,
    AnswerRow.tags,
    AnswerRow.moderated_at,
)


_t = table(AnswerRow)
_SUPERSEDE_ONE = Prepared(
    update(_t).where(
        _t.c.session_id == bindparam("b_session"),
        _t.c.question_id == bindparam("b_question"),
        _t.c.superseded_at.is_(None),
    ),
    deferrable=True,
)
_INSERT = Prepared(insert(_t).returning(_t.c.id))
_INSERT_HELD = Prepared(insert(_t), deferrable=True)
_CURRENT = Prepared(
    select(*_COLUMNS)
    .where(_t.c.session_id == bindparam("b_session"), _t.c.superseded_at.is_(None))
    .order_by(_t.c.id)
)


def _answer(row: Sequence[Any]) -> StoredAnswer:
    fields = list(row)
    fields[9] = None if fields[9] is None else ModerationStatus(fields[9])
    fields[11] = tuple(fields[11] or ())
    return StoredAnswer(*fields)


class Details(TypedDict):
    """What an answer is stored with, beside its question and value."""

    question_text: str  # the wording shown
    language: str
    now: dt.datetime
    raw_text: NotRequired[str | None]  # what the resident typed
    needs_moderation: NotRequired[bool]  # free text: queued as pending
    # Whether the application found personal data in it (absent or None: not
    # looked at; the review queue scans it later).
    personal_data: NotRequired[bool | None]
    # False: the caller knows the session has no answer to this question yet,
    # so there is none to supersede (an UPDATE less on most messages).
    replaces: NotRequired[bool]


async def record(
    session: AsyncSession,
    session_id: int,
    question_id: str,
    value: JsonValue,
    **details: Unpack[Details],
) -> int:
    """Store the answer to `question_id`, superseding the current one if any;
    the new answer's id."""
    values = await _superseding(session, session_id, question_id, value, details)
    answer_id = (await _INSERT.execute(session, values)).scalar()
    assert isinstance(answer_id, int)
    return answer_id


async def add(
    session: AsyncSession,
    session_id: int,
    question_id: str,
    value: JsonValue,
    **details: Unpack[Details],
) -> None:
    """`record`, for a caller that needs no id: on PostgreSQL both writes go
    with the transaction's next statement (storage.write_batch)."""
    values = await _superseding(session, session_id, question_id, value, details)
    await _INSERT_HELD.write(session, values)


async def _superseding(
    session: AsyncSession, session_id: int, question_id: str, value: JsonValue, details: Details
) -> dict[str, Any]:
    """Supersede the current answer to `question_id`; the new answer's row."""
    now = details["now"]
    if details.get("replaces", True):
        await _SUPERSEDE_ONE.write(
            session, {"b_session": session_id, "b_question": question_id, "superseded_at": now}
        )
    needs_moderation = details.get("needs_moderation", False)
    return {
        "session_id": session_id,
        "question_id": question_id,
        "value": value,
        "raw_text": details.get("raw_text"),
        "question_text": details["question_text"],
        "language": details["language"],
        "answered_at": now,
        "moderation_status": ModerationStatus.PENDING.value if needs_moderation else None,
        "personal_data": details.get("personal_data"),
    }


async def supersede(
    session: AsyncSession,
    session_id: int,
    *,
    now: dt.datetime,
    question_ids: Sequence[str] | None = None,
) -> int:
    """Mark the session's current answers superseded: all of them (a restart) or
    those of `question_ids` (going back past them); how many."""
    statement = update(AnswerRow).where(
        AnswerRow.session_id == session_id, AnswerRow.superseded_at.is_(None)
    )
    if question_ids is not None:
        statement = statement.where(AnswerRow.question_id.in_(list(question_ids)))
    return rowcount(await session.execute(statement.values(superseded_at=now)))


async def current(session: AsyncSession, session_id: int) -> list[StoredAnswer]:
    """The session's current (not superseded) answers, oldest first."""
    found = await _CURRENT.execute(session, {"b_session": session_id})
    return [_answer(row) for row in found.rows]


async def current_of(
    session: AsyncSession, session_ids: Sequence[int]
) -> dict[int, list[StoredAnswer]]:
    """The current answers of each of `session_ids`, oldest first."""
    found: dict[int, list[StoredAnswer]] = {session_id: [] for session_id in session_ids}
    if session_ids:
        rows = await session.execute(
            select(*_COLUMNS)
            .where(AnswerRow.session_id.in_(list(session_ids)), AnswerRow.superseded_at.is_(None))
            .order_by(AnswerRow.id)
        )
        for row in rows:
            answer = _answer(row)
            found[answer.session_id].append(answer)
    return found


async def sessions_of(session: AsyncSession, answer_ids: Sequence[int]) -> dict[int, int]:
    """The session of each answer still stored, by answer id."""
    if not answer_ids:
        return {}
    rows = await session.execute(
        select(AnswerRow.id, AnswerRow.session_id).where(AnswerRow.id.in_(list(answer_ids)))
    )
    return {int(answer_id): int(session_id) for answer_id, session_id in rows.tuples()}


async def history(session: AsyncSession, session_id: int) -> list[StoredAnswer]:
    """Every answer of the session, superseded ones included, oldest first."""
    rows = await session.execute(
        select(*_COLUMNS).where(AnswerRow.session_id == session_id).order_by(AnswerRow.id)
    )
    return [_answer(row) for row in rows]


async def get(session: AsyncSession, answer_id: int) -> StoredAnswer:
    row = (await session.execute(select(*_COLUMNS).where(AnswerRow.id == answer_id))).first()
    if row is None:
        raise NotFound(f"no answer {answer_id}")
    return _answer(row)


async def for_moderation(
    session: AsyncSession,
    *,
    status: ModerationStatus = ModerationStatus.PENDING,
    consultation_id: str | None = None,
    after_id: int = 0,
    limit: int = 50,
) -> list[StoredAnswer]:
    """Current free-text answers in `status`, oldest first, a page at a time
    (pass the last id seen as `after_id`)."""
    query = select(*_COLUMNS).where(
        AnswerRow.moderation_status == status.value,
        AnswerRow.superseded_at.is_(None),
        AnswerRow.id > after_id,
    )
    if consultation_id is not None:
        query = (
            query.join(SessionRow, SessionRow.id == AnswerRow.session_id)
            .join(FlowVersionRow, FlowVersionRow.id == SessionRow.flow_version_id)
            .where(FlowVersionRow.consultation_id == consultation_id)
        )
    rows = await session.execute(query.order_by(AnswerRow.id).limit(limit))
    return [_answer(row) for row in rows]


async def for_consultation(
    session: AsyncSession,
    consultation_id: str,
    *,
    after_id: int = 0,
    limit: int = 500,
) -> list[StoredAnswer]:
    """The current answers of every session of a consultation (all its flow
    versions, anonymised sessions included), oldest first, a page at a time:
    what the consultation engine pulls. Rejected free text is left out."""
    rows = await session.execute(
        select(*_COLUMNS)
        .join(SessionRow, SessionRow.id == AnswerRow.session_id)
        .join(FlowVersionRow, FlowVersionRow.id == SessionRow.flow_version_id)
        .where(
            FlowVersionRow.consultation_id == consultation_id,
            AnswerRow.superseded_at.is_(None),
            AnswerRow.id > after_id,
            (AnswerRow.moderation_status.is_(None))
            | (AnswerRow.moderation_status != ModerationStatus.REJECTED.value),
        )
        .order_by(AnswerRow.id)
        .limit(limit)
    )
    return [_answer(row) for row in rows]


async def moderate(
    session: AsyncSession,
    answer_id: int,
    status: ModerationStatus,
    *,
    now: dt.datetime,
    redacted_text: str | None = None,
    tags: Sequence[str] = (),
) -> None:
    """Record a moderator's decision on a free-text answer."""
    result = await session.execute(
        update(AnswerRow)
        .where(AnswerRow.id == answer_id, AnswerRow.moderation_status.is_not(None))
        .values(
            moderation_status=status.value,
            redacted_text=redacted_text,
            tags=list(tags),
            moderated_at=now,
        )
    )
    if rowcount(result) == 0:
        raise NotFound(f"no free-text answer {answer_id} to moderate")


async def count_by_moderation_status(session: AsyncSession) -> dict[ModerationStatus, int]:
    rows = await session.execute(
        select(AnswerRow.moderation_status, func.count())
        .where(AnswerRow.moderation_status.is_not(None), AnswerRow.superseded_at.is_(None))
        .group_by(AnswerRow.moderation_status)
    )
    counts = dict.fromkeys(ModerationStatus, 0)
    for status, count in rows:
        counts[ModerationStatus(status)] = count
    return counts
