"""Moderators' decisions on free-text answers.

A pending answer is approved (optionally with a redacted text, which is then
the text published), rejected (with a reason category and an optional note),
or tagged with themes. The first decision wins: each is one conditional
UPDATE on a pending row, so of two moderators deciding at once exactly one
changes it, and the other is told who decided and when, with nothing applied.
An answer a moderator opened is held for them for a few minutes (`hold`):
others cannot decide it meanwhile. An answer its author erased is reported as
erased (`erased_answers` keeps its id, nothing else).

In the same transaction, every decision writes an outbox event for the
consultation engine (`answer.approved` with the approved text and tags,
`answer.rejected` with the reason category only: never the rejected text) and
an audit record (who, when, which answer, status before and after; never the
resident's words).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, outbox
from storage.columns import JsonValue, UtcDateTime
from storage.errors import InvalidModeration, NotFound
from storage.models import (
    AnswerRow,
    ErasedAnswerRow,
    FlowVersionRow,
    ModerationStatus,
    SessionRow,
    table,
)
from storage.prepared import Prepared
from storage.writes import rowcount

HOLD = dt.timedelta(minutes=5)
MAX_TAGS = 20
MAX_TAG_LENGTH = 64
MAX_TEXT = 20_000

EVENT_APPROVED = "answer.approved"
EVENT_REJECTED = "answer.rejected"
EVENT_TAGGED = "answer.tagged"


class Outcome(enum.StrEnum):
    APPLIED = "applied"  # this decision was recorded
    ALREADY_DECIDED = "already_decided"  # someone decided first: see decided_by
    HELD = "held"  # another moderator holds the answer: see held_by
    SUPERSEDED = "superseded"  # the resident changed this answer since
    ERASED = "erased"  # the resident erased their data


@dataclass(frozen=True, slots=True)
class Decision:
    """What happened to a decision, and the answer's state afterwards."""

    answer_id: int
    outcome: Outcome
    status: ModerationStatus | None = None  # None once erased
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    held_by: str | None = None
    held_until: dt.datetime | None = None

    @property
    def applied(self) -> bool:
        return self.outcome is Outcome.APPLIED


@dataclass(frozen=True, slots=True)
class _Context:
    """Where an answer belongs, for the event."""

    participant_id: int | None
    consultation_id: str
    flow_version: int
    question_id: str
    language: str
    raw_text: str | None
    value: JsonValue
    tags: JsonValue


_a, _s, _f = table(AnswerRow), table(SessionRow), table(FlowVersionRow)
# A decision, compiled once (the columns it sets are the execution's other names):
# pending, current, not held by someone else.
_DECIDE = Prepared(
    update(_a).where(
        _a.c.id == bindparam("b_id"),
        _a.c.moderation_status == ModerationStatus.PENDING.value,
        _a.c.superseded_at.is_(None),
        or_(
            _a.c.held_by.is_(None),
            _a.c.held_by == bindparam("b_by"),
            _a.c.held_until <= bindparam("b_now"),
        ),
    )
)
_CONTEXT = Prepared(
    select(
        _s.c.participant_id,
        _f.c.consultation_id,
        _f.c.version,
        _a.c.question_id,
        _a.c.language,
        _a.c.raw_text,
        _a.c.value,
        _a.c.tags,
    )
    .select_from(_a.join(_s, _s.c.id == _a.c.session_id).join(_f, _f.c.id == _s.c.flow_version_id))
    .where(_a.c.id == bindparam("b_id"))
)


def _decidable(answer_id: int, by: str, now: dt.datetime) -> Any:
    """The WHERE of a decision: pending, current, not held by someone else."""
    return (
        (AnswerRow.id == answer_id)
        & (AnswerRow.moderation_status == ModerationStatus.PENDING.value)
        & AnswerRow.superseded_at.is_(None)
        & or_(AnswerRow.held_by.is_(None), AnswerRow.held_by == by, AnswerRow.held_until <= now)
    )


async def approve(
    session: AsyncSession,
    answer_id: int,
    *,
    by: str,
    now: dt.datetime,
    text: str | None = None,
    tags: Sequence[str] | None = None,
) -> Decision:
    """Approve a pending answer; `text` is its redacted version if the moderator
    edited it (the published text), `tags` replace its themes if given."""
    if text is not None:
        text = _checked_text(text)
    values: dict[str, Any] = {
        "moderation_status": ModerationStatus.APPROVED.value,
        "moderated_at": now,
        "moderated_by": _checked_actor(by),
        "rejection_reason": None,
        "moderation_note": None,
        "held_by": None,
        "held_until": None,
    }
    if text is not None:
        values["redacted_text"] = text
    if tags is not None:
        values["tags"] = _checked_tags(tags)
    applied = await _decide(session, answer_id, by, now, values)
    if applied is not None:
        return applied
    context = await _context(session, answer_id)
    published = text if text is not None else _text_of(context)
    redacted = text is not None and text != context.raw_text
    final_tags = tuple(str(t) for t in context.tags) if isinstance(context.tags, list) else ()
    await outbox.enqueue(
        session,
        EVENT_APPROVED,
        {
            **_event_base(answer_id, context),
            "text": published,
            "redacted": redacted,
            "tags": list(final_tags),
            "approved_at": now.isoformat(),
        },
        now=now,
        participant_id=context.participant_id,
    )
    details = {"redacted": "yes" if redacted else "no"}
    if final_tags:
        details["tags"] = ",".join(final_tags)
    await _audit(session, "answer.approve", answer_id, by, now, ModerationStatus.APPROVED, details)
    return Decision(answer_id, Outcome.APPLIED, ModerationStatus.APPROVED, by, now)


async def reject(
    session: AsyncSession,
    answer_id: int,
    *,
    by: str,
    now: dt.datetime,
    reason: str,
    note: str | None = None,
) -> Decision:
    """Reject a pending answer for `reason` (a category such as "off-topic";
    the caller checks it against the deployment's list), with an optional
    note for the other moderators."""
    reason = reason.strip()
    if not reason or len(reason) > 64:
        raise InvalidModeration("a rejection needs a reason (at most 64 characters)")
    values = {
        "moderation_status": ModerationStatus.REJECTED.value,
        "moderated_at": now,
        "moderated_by": _checked_actor(by),
        "rejection_reason": reason,
        "moderation_note": _checked_text(note) if note else None,
        "redacted_text": None,
        "held_by": None,
        "held_until": None,
    }
    applied = await _decide(session, answer_id, by, now, values)
    if applied is not None:
        return applied
    context = await _context(session, answer_id)
    await outbox.enqueue(
        session,
        EVENT_REJECTED,
        {**_event_base(answer_id, context), "reason": reason, "rejected_at": now.isoformat()},
        now=now,
        participant_id=context.participant_id,
    )
    details = {"reason": reason, "note": "yes" if note else "no"}
    await _audit(session, "answer.reject", answer_id, by, now, ModerationStatus.REJECTED, details)
    return Decision(answer_id, Outcome.APPLIED, ModerationStatus.REJECTED, by, now)


async def tag(
    session: AsyncSession, answer_id: int, tags: Sequence[str], *, by: str, now: dt.datetime
) -> Decision:
    """Set the themes of a free-text answer, pending or decided (not while
    another moderator holds it). Tagging an approved answer tells the engine."""
    checked = _checked_tags(tags)
    result = await session.execute(
        update(AnswerRow)
        .where(
            AnswerRow.id == answer_id,
            AnswerRow.moderation_status.is_not(None),
            AnswerRow.superseded_at.is_(None),
            or_(AnswerRow.held_by.is_(None), AnswerRow.held_by == by, AnswerRow.held_until <= now),
        )
        .values(tags=checked)
        .returning(AnswerRow.moderation_status)
    )
    status_value = result.scalar()
    if status_value is None:
        return await _why_not(session, answer_id, now)
    status = ModerationStatus(status_value)
    if status is ModerationStatus.APPROVED:
        context = await _context(session, answer_id)
        await outbox.enqueue(
            session,
            EVENT_TAGGED,
            {**_event_base(answer_id, context), "tags": list(checked)},
            now=now,
            participant_id=context.participant_id,
        )
    details = {"tags": ",".join(checked)}
    await audit.record(
        session,
        "answer.tag",
        {"answers": 1},
        now=now,
        details=details,
        actor=by,
        subject=subject(answer_id),
        state_before=status.value,
        state_after=status.value,
    )
    return Decision(answer_id, Outcome.APPLIED, status)


async def hold(
    session: AsyncSession,
    answer_id: int,
    *,
    by: str,
    now: dt.datetime,
    duration: dt.timedelta = HOLD,
) -> Decision:
    """Hold a pending answer for `by` until `now + duration` (renewed if they
    already hold it). Not applied if someone else holds it or it was decided."""
    result = await session.execute(
        update(AnswerRow)
        .where(_decidable(answer_id, by, now))
        .values(held_by=_checked_actor(by), held_until=now + duration)
    )
    if rowcount(result) == 1:
        return Decision(
            answer_id,
            Outcome.APPLIED,
            ModerationStatus.PENDING,
            held_by=by,
            held_until=now + duration,
        )
    return await _why_not(session, answer_id, now)


async def release(session: AsyncSession, answer_id: int, *, by: str) -> bool:
    """Give up `by`'s hold on an answer; whether they held it."""
    result = await session.execute(
        update(AnswerRow)
        .where(AnswerRow.id == answer_id, AnswerRow.held_by == by)
        .values(held_by=None, held_until=None)
    )
    return rowcount(result) == 1


async def state(session: AsyncSession, answer_id: int, *, now: dt.datetime) -> Decision:
    """Where an answer stands, as a Decision that was not applied: pending
    (perhaps held), decided, superseded or erased."""
    return await _why_not(session, answer_id, now)


async def record_erased(
    session: AsyncSession, session_ids: Select[tuple[int]], *, now: dt.datetime
) -> int:
    """Remember the ids of the free-text answers of these sessions, about to be
    erased at their author's request; how many."""
    result = await session.execute(
        insert(ErasedAnswerRow).from_select(
            ["answer_id", "erased_at"],
            select(AnswerRow.id, bindparam("erased_at", now, type_=UtcDateTime())).where(
                AnswerRow.session_id.in_(session_ids),
                AnswerRow.moderation_status.is_not(None),
            ),
        )
    )
    return rowcount(result)


def subject(answer_id: int) -> str:
    """How audit records name an answer."""
    return f"answer:{answer_id}"


async def _decide(
    session: AsyncSession,
    answer_id: int,
    by: str,
    now: dt.datetime,
    values: dict[str, Any],
) -> Decision | None:
    """Apply `values` if the answer is decidable by `by`: None if applied,
    otherwise why not."""
    result = await _DECIDE.execute(session, {"b_id": answer_id, "b_by": by, "b_now": now, **values})
    if result.rowcount == 1:
        return None
    return await _why_not(session, answer_id, now)


async def _state(session: AsyncSession, answer_id: int) -> Any:
    return (
        await session.execute(
            select(
                AnswerRow.moderation_status,
                AnswerRow.moderated_by,
                AnswerRow.moderated_at,
                AnswerRow.superseded_at,
                AnswerRow.held_by,
                AnswerRow.held_until,
            ).where(AnswerRow.id == answer_id)
        )
    ).first()


async def _why_not(session: AsyncSession, answer_id: int, now: dt.datetime) -> Decision:
    row = await _state(session, answer_id)
    if row is None:
        erased = await session.scalar(
            select(ErasedAnswerRow.answer_id).where(ErasedAnswerRow.answer_id == answer_id)
        )
        if erased is not None:
            return Decision(answer_id, Outcome.ERASED)
        raise NotFound(f"no answer {answer_id}")
    if row.moderation_status is None:
        raise NotFound(f"answer {answer_id} is not a free-text answer: nothing to moderate")
    status = ModerationStatus(row.moderation_status)
    if status is not ModerationStatus.PENDING:
        return Decision(
            answer_id, Outcome.ALREADY_DECIDED, status, row.moderated_by, row.moderated_at
        )
    if row.superseded_at is not None:
        return Decision(answer_id, Outcome.SUPERSEDED, status)
    if row.held_by is not None and row.held_until is not None and row.held_until > now:
        return Decision(
            answer_id, Outcome.HELD, status, held_by=row.held_by, held_until=row.held_until
        )
    return Decision(answer_id, Outcome.HELD, status)  # pragma: no cover - raced a release


async def _context(session: AsyncSession, answer_id: int) -> _Context:
    return _Context(*(await _CONTEXT.execute(session, {"b_id": answer_id})).one())


def _event_base(answer_id: int, context: _Context) -> dict[str, JsonValue]:
    return {
        "answer_id": answer_id,
        "consultation_id": context.consultation_id,
        "flow_version": context.flow_version,
        "question_id": context.question_id,
        "language": context.language,
    }


def _text_of(context: _Context) -> str:
    if context.raw_text is not None:
        return context.raw_text
    return context.value if isinstance(context.value, str) else str(context.value)


async def _audit(
    session: AsyncSession,
    action: str,
    answer_id: int,
    by: str,
    now: dt.datetime,
    after: ModerationStatus,
    details: dict[str, str],
) -> None:
    await audit.record(
        session,
        action,
        {"answers": 1},
        now=now,
        details=details,
        actor=by,
        subject=subject(answer_id),
        state_before=ModerationStatus.PENDING.value,
        state_after=after.value,
    )


def _checked_actor(by: str) -> str:
    if not by.strip() or len(by) > 254:
        raise InvalidModeration("a decision needs who made it (at most 254 characters)")
    return by


def _checked_text(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise InvalidModeration(f"the text is longer than {MAX_TEXT} characters")
    if not text.strip():
        raise InvalidModeration("the approved text is empty: reject the answer instead")
    return text


def _checked_tags(tags: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
    if len(cleaned) > MAX_TAGS or any(len(t) > MAX_TAG_LENGTH for t in cleaned):
        raise InvalidModeration(
            f"at most {MAX_TAGS} tags of at most {MAX_TAG_LENGTH} characters each"
        )
    return cleaned
