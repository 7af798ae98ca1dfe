"""What a resident may learn of their own completed contributions: when each
was completed, and where its written answers are in moderation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AnswerRow, ContributionRow, ModerationStatus

# A resident is told about their latest contributions, not about every one.
LATEST = 5


@dataclass(frozen=True, slots=True)
class ContributionStatus:
    session_id: int
    consultation_id: str
    completed_at: dt.datetime
    published_as_is: int  # current answers that need no moderation (closed questions)
    pending: int  # written answers not decided yet
    approved: int
    rejected: tuple[str, ...]  # the reason of each rejected written answer ("" if none given)


async def of_participant(
    session: AsyncSession, participant_id: int, limit: int = LATEST
) -> list[ContributionStatus]:
    """The participant's latest complete contributions, newest first."""
    found = (
        await session.execute(
            select(
                ContributionRow.session_id,
                ContributionRow.consultation_id,
                ContributionRow.completed_at,
            )
            .where(ContributionRow.participant_id == participant_id, ~ContributionRow.partial)
            .order_by(ContributionRow.completed_at.desc(), ContributionRow.id.desc())
            .limit(limit)
        )
    ).all()
    if not found:
        return []
    tallies = await _answer_counts(session, [row.session_id for row in found])
    statuses = []
    for row in found:
        tally = tallies.get(row.session_id, _Tally())
        statuses.append(
            ContributionStatus(
                row.session_id,
                row.consultation_id,
                row.completed_at,
                tally.as_is,
                tally.pending,
                tally.approved,
                tuple(tally.rejected),
            )
        )
    return statuses


@dataclass(slots=True)
class _Tally:
    as_is: int = 0
    pending: int = 0
    approved: int = 0
    rejected: list[str] = field(default_factory=list)


async def _answer_counts(session: AsyncSession, session_ids: list[int]) -> dict[int, _Tally]:
    rows = await session.execute(
        select(
            AnswerRow.session_id,
            AnswerRow.moderation_status,
            AnswerRow.rejection_reason,
            func.count(),
        )
        .where(AnswerRow.session_id.in_(session_ids), AnswerRow.superseded_at.is_(None))
        .group_by(AnswerRow.session_id, AnswerRow.moderation_status, AnswerRow.rejection_reason)
    )
    tallies: dict[int, _Tally] = {}
    for session_id, status, reason, count in rows:
        tally = tallies.setdefault(session_id, _Tally())
        if status is None:
            tally.as_is += count
        elif status == ModerationStatus.PENDING:
            tally.pending += count
        elif status == ModerationStatus.APPROVED:
            tally.approved += count
        else:
            tally.rejected.extend([reason or ""] * count)
    return tallies
