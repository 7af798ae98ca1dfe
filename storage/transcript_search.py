"""Transcripts as the console reads them: a conversation's header (which
consultation and version, channel, the participant's pseudonym, never a
platform id), a text search within one consultation, and the completed
contributions a receipt code may belong to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ContributionRow,
    Direction,
    FlowVersionRow,
    ParticipantRow,
    SessionRow,
    SessionStatus,
    TranscriptLineRow,
)

MAX_SEARCH = 200


@dataclass(frozen=True, slots=True)
class TranscriptHeader:
    session_id: int
    consultation_id: str
    flow_version: int
    status: SessionStatus
    channel: str | None  # None once anonymised
    pseudonym: str | None  # the start of the participant's keyed hash
    human_requested: bool
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class FoundLine:
    line_id: int
    session_id: int
    direction: Direction
    text: str
    at: dt.datetime


async def header(session: AsyncSession, session_id: int) -> TranscriptHeader | None:
    row = (
        await session.execute(
            select(
                SessionRow.id,
                FlowVersionRow.consultation_id,
                FlowVersionRow.version,
                SessionRow.status,
                ParticipantRow.channel,
                ParticipantRow.user_hash,
                SessionRow.human_requested,
                SessionRow.created_at,
            )
            .join(FlowVersionRow, FlowVersionRow.id == SessionRow.flow_version_id)
            .outerjoin(ParticipantRow, ParticipantRow.id == SessionRow.participant_id)
            .where(SessionRow.id == session_id)
        )
    ).first()
    if row is None:
        return None
    return TranscriptHeader(
        session_id=row.id,
        consultation_id=row.consultation_id,
        flow_version=row.version,
        status=SessionStatus(row.status),
        channel=row.channel,
        pseudonym=None if row.user_hash is None else f"P-{row.user_hash[:10]}",
        human_requested=row.human_requested,
        created_at=row.created_at,
    )


async def search(
    session: AsyncSession,
    consultation_id: str,
    words: str,
    *,
    after_line_id: int = 0,
    limit: int = 50,
) -> list[FoundLine]:
    """Transcript lines of the consultation containing `words` (case-insensitive),
    oldest first, a page at a time."""
    rows = await session.execute(
        select(
            TranscriptLineRow.id,
            TranscriptLineRow.session_id,
            TranscriptLineRow.direction,
            TranscriptLineRow.text,
            TranscriptLineRow.at,
        )
        .join(SessionRow, SessionRow.id == TranscriptLineRow.session_id)
        .join(FlowVersionRow, FlowVersionRow.id == SessionRow.flow_version_id)
        .where(
            FlowVersionRow.consultation_id == consultation_id,
            TranscriptLineRow.id > after_line_id,
            TranscriptLineRow.text.icontains(words[:MAX_SEARCH], autoescape=True),
        )
        .order_by(TranscriptLineRow.id)
        .limit(limit)
    )
    return [FoundLine(r.id, r.session_id, Direction(r.direction), r.text, r.at) for r in rows]


@dataclass(frozen=True, slots=True)
class Completed:
    """A completed contribution: the conversation a receipt code was given in."""

    session_id: int
    consultation_id: str
    completed_at: dt.datetime


async def completed(session: AsyncSession, consultation_ids: Collection[str]) -> list[Completed]:
    """The complete contributions of these consultations, oldest first. A
    receipt code is a keyed hash of its session, stored nowhere: the caller
    finds a code's conversation by computing theirs."""
    if not consultation_ids:
        return []
    rows = await session.execute(
        select(
            ContributionRow.session_id,
            ContributionRow.consultation_id,
            ContributionRow.completed_at,
        )
        .where(
            ContributionRow.consultation_id.in_(list(consultation_ids)),
            ~ContributionRow.partial,
        )
        .order_by(ContributionRow.id)
    )
    return [Completed(r.session_id, r.consultation_id, r.completed_at) for r in rows]


async def consultation_ids(
    session: AsyncSession, allowed: Collection[str] | None = None
) -> list[str]:
    """The consultations deployed, for the console's choices."""
    query = (
        select(FlowVersionRow.consultation_id).distinct().order_by(FlowVersionRow.consultation_id)
    )
    if allowed is not None:
        query = query.where(FlowVersionRow.consultation_id.in_(list(allowed)))
    return list((await session.scalars(query)).all())
