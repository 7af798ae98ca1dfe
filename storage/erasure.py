"""Deleting a participant's data on their request ("delete my data").

Erased: the transcript of every session, the processed message ids (they hold
the replies sent), the messages the consultation team sent them and their wish
to hear follow-ups, undelivered
outbox events, the sessions and the participant
row itself. Answers are erased too, or, when the operator chose to keep them,
kept fully anonymised: current answers move to a new session row linked to no
participant, with their times cut to the day, and superseded answers are
erased. Their contributions go; delivered outbox events keep only ids and
lose their link to the participant; a `participant.erased` event tells the
consultation engine which contributions to delete (storage.contributions).

One audit record says when and how many rows of each kind; it names no one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, contributions, follow_ups, moderation, team_messages
from storage.errors import NotFound
from storage.models import (
    AnswerRow,
    InboundRow,
    OutboxEventRow,
    ParticipantRow,
    SessionRow,
    SessionStatus,
    TranscriptLineRow,
)
from storage.writes import rowcount

AUDIT_ACTION = "delete_data"


@dataclass(frozen=True, slots=True)
class ErasureCounts:
    participants: int
    sessions: int
    transcript_lines: int
    answers_deleted: int
    answers_anonymised: int
    inbound_messages: int
    outbox_events: int  # undelivered events deleted
    team_messages: int = 0  # messages from the consultation team


async def delete_participant_data(
    session: AsyncSession,
    participant_id: int,
    *,
    now: dt.datetime,
    keep_anonymised_answers: bool,
) -> ErasureCounts:
    """Erase the participant's data as described above and audit it; the counts."""
    participant = (
        await session.execute(
            select(ParticipantRow.channel, ParticipantRow.user_hash)
            .where(ParticipantRow.id == participant_id)
            .with_for_update()
        )
    ).first()
    if participant is None:
        raise NotFound(f"no participant {participant_id}")
    # First, while their sessions still name them: the engine is told what to delete.
    await contributions.erase_participant(session, participant_id, now=now)
    their_sessions = select(SessionRow.id).where(SessionRow.participant_id == participant_id)

    transcript_lines = rowcount(
        await session.execute(
            delete(TranscriptLineRow).where(TranscriptLineRow.session_id.in_(their_sessions))
        )
    )
    team_messages_deleted = await team_messages.delete_for_participant(session, participant_id)
    await follow_ups.delete_for_participant(session, participant_id)
    anonymised = 0
    if keep_anonymised_answers:
        anonymised = await _anonymise_answers(session, participant_id, now)
    await moderation.record_erased(session, their_sessions, now=now)
    answers_deleted = rowcount(
        await session.execute(delete(AnswerRow).where(AnswerRow.session_id.in_(their_sessions)))
    )
    sessions = rowcount(
        await session.execute(delete(SessionRow).where(SessionRow.participant_id == participant_id))
    )
    inbound_messages = rowcount(
        await session.execute(
            delete(InboundRow).where(
                InboundRow.channel == participant.channel,
                InboundRow.user_hash == participant.user_hash,
            )
        )
    )
    outbox_events = rowcount(
        await session.execute(
            delete(OutboxEventRow).where(
                OutboxEventRow.participant_id == participant_id,
                OutboxEventRow.delivered_at.is_(None),
            )
        )
    )
    await session.execute(
        update(OutboxEventRow)
        .where(OutboxEventRow.participant_id == participant_id)
        .values(participant_id=None)
    )
    participants = rowcount(
        await session.execute(delete(ParticipantRow).where(ParticipantRow.id == participant_id))
    )
    counts = ErasureCounts(
        participants=participants,
        sessions=sessions,
        transcript_lines=transcript_lines,
        answers_deleted=answers_deleted,
        answers_anonymised=anonymised,
        inbound_messages=inbound_messages,
        outbox_events=outbox_events,
        team_messages=team_messages_deleted,
    )
    await audit.record(session, AUDIT_ACTION, asdict(counts), now=now)
    return counts


async def _anonymise_answers(session: AsyncSession, participant_id: int, now: dt.datetime) -> int:
    """Move the current answers of each of the participant's sessions to a new
    session row with no participant; how many answers moved."""
    rows = (
        await session.execute(
            select(
                AnswerRow.id,
                AnswerRow.answered_at,
                SessionRow.id,
                SessionRow.flow_version_id,
                SessionRow.departement,
            )
            .join(SessionRow, SessionRow.id == AnswerRow.session_id)
            .where(SessionRow.participant_id == participant_id, AnswerRow.superseded_at.is_(None))
            .order_by(AnswerRow.id)
        )
    ).all()
    new_session_ids: dict[int, int] = {}
    moves: list[dict[str, object]] = []
    for answer_id, answered_at, old_session_id, flow_version_id, departement in rows:
        if old_session_id not in new_session_ids:
            new_session_ids[old_session_id] = await _anonymous_session(
                session, flow_version_id, _day(answered_at), departement
            )
        moves.append(
            {
                "answer_id": answer_id,
                "new_session_id": new_session_ids[old_session_id],
                "day": _day(answered_at),
            }
        )
    if moves:
        # Core UPDATE run once per row (executemany), not the ORM's bulk update.
        answers_table = AnswerRow.metadata.tables[AnswerRow.__tablename__]
        await session.execute(
            update(answers_table)
            .where(answers_table.c.id == bindparam("answer_id"))
            .values(session_id=bindparam("new_session_id"), answered_at=bindparam("day")),
            moves,
        )
    return len(moves)


async def _anonymous_session(
    session: AsyncSession, flow_version_id: int, day: dt.datetime, departement: str | None
) -> int:
    # The département goes with the place answers kept (it says no more than
    # they do), so that the results filtered by it count them as before.
    session_id = await session.scalar(
        insert(SessionRow)
        .values(
            participant_id=None,
            flow_version_id=flow_version_id,
            state={},
            status=SessionStatus.COMPLETED.value,
            human_requested=False,
            created_at=day,
            updated_at=day,
            last_activity_at=day,
            departement=departement,
        )
        .returning(SessionRow.id)
    )
    assert session_id is not None
    return session_id


def _day(moment: dt.datetime) -> dt.datetime:
    """Midnight UTC of `moment`'s day: precise times could be matched with the
    platform's records of when the person wrote."""
    return moment.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
