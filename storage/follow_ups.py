"""Follow-ups: residents who asked to hear what became of a consultation
(`follow_up_consents`, kept apart from the consent to take part), and the news
organizers send them (`follow_ups`).

A follow-up is stored as a draft (`create`): no resident sees it. `release`
(an organizer's "send now") queues its copies: each resident's copy is a team
message in their latest conversation of the consultation
(storage.team_messages), in their language. It is delivered the way team
messages are (claimed by one UPDATE that only one process can win, so never
shown twice), it shows in their transcript as from the consultation team, and
it is erased with their data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ContributionRow,
    Direction,
    FlowVersionRow,
    FollowUpConsentRow,
    FollowUpRow,
    ParticipantRow,
    SessionRow,
    TeamMessageRow,
    TeamMessageState,
    TranscriptLineRow,
)
from storage.writes import rowcount


@dataclass(frozen=True, slots=True)
class FollowUp:
    id: int
    consultation_id: str
    texts: Mapping[str, str]  # per language
    author: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a follow-up's copies stand."""

    total: int
    delivered: int
    waiting: int  # queued: for a Telegram resident, not sent yet; else until they return
    unreachable: int  # the platform refused it (the resident blocked the bot)


@dataclass(frozen=True, slots=True)
class Copy:
    """A resident's copy of a follow-up, still waiting to be sent."""

    message_id: int
    channel: str


_COLUMNS = (
    FollowUpRow.id,
    FollowUpRow.consultation_id,
    FollowUpRow.texts,
    FollowUpRow.author,
    FollowUpRow.created_at,
)


def _follow_up(row: Any) -> FollowUp:
    return FollowUp(row[0], row[1], dict(row[2]), row[3], row[4])


# ---- consent -----------------------------------------------------------------


async def give(
    session: AsyncSession, participant_id: int, consultation_id: str, *, now: dt.datetime
) -> None:
    """The participant wants the consultation's follow-ups (again)."""
    changed = await session.execute(
        update(FollowUpConsentRow)
        .where(
            FollowUpConsentRow.participant_id == participant_id,
            FollowUpConsentRow.consultation_id == consultation_id,
        )
        .values(given_at=now, revoked_at=None)
    )
    if rowcount(changed) == 0:
        await session.execute(
            insert(FollowUpConsentRow).values(
                participant_id=participant_id, consultation_id=consultation_id, given_at=now
            )
        )


async def revoke(
    session: AsyncSession,
    participant_id: int,
    *,
    now: dt.datetime,
    consultation_id: str | None = None,
) -> int:
    """The participant wants no more follow-ups of `consultation_id` (of any
    consultation when None); how many wishes this ended."""
    query = update(FollowUpConsentRow).where(
        FollowUpConsentRow.participant_id == participant_id,
        FollowUpConsentRow.revoked_at.is_(None),
    )
    if consultation_id is not None:
        query = query.where(FollowUpConsentRow.consultation_id == consultation_id)
    return rowcount(await session.execute(query.values(revoked_at=now)))


async def wanted(session: AsyncSession, participant_id: int) -> list[str]:
    """The consultations whose follow-ups the participant wants."""
    rows = await session.execute(
        select(FollowUpConsentRow.consultation_id)
        .where(
            FollowUpConsentRow.participant_id == participant_id,
            FollowUpConsentRow.revoked_at.is_(None),
        )
        .order_by(FollowUpConsentRow.consultation_id)
    )
    return list(rows.scalars())


async def delete_for_participant(session: AsyncSession, participant_id: int) -> int:
    """Erase the participant's follow-up consents (their data is being erased)."""
    return rowcount(
        await session.execute(
            delete(FollowUpConsentRow).where(FollowUpConsentRow.participant_id == participant_id)
        )
    )


# ---- follow-ups --------------------------------------------------------------


async def create(
    session: AsyncSession,
    consultation_id: str,
    texts: Mapping[str, str],
    author: str,
    *,
    now: dt.datetime,
) -> FollowUp:
    """A follow-up, stored as a draft: no resident sees it until `release`."""
    return _follow_up(
        (
            await session.execute(
                insert(FollowUpRow)
                .values(
                    consultation_id=consultation_id,
                    texts=dict(texts),
                    author=author,
                    created_at=now,
                )
                .returning(*_COLUMNS)
            )
        ).one()
    )


async def followers(session: AsyncSession, consultation_id: str) -> int:
    """How many residents want the consultation's follow-ups (and took part)."""
    found = await session.execute(
        select(func.count()).select_from(_recipients(consultation_id, None).subquery())
    )
    return int(found.scalar() or 0)


async def release(
    session: AsyncSession, follow_up_id: int, main_language: str, *, now: dt.datetime
) -> int | None:
    """Queue a copy of the follow-up for every resident who wants the
    consultation's follow-ups and has none yet, in their language
    (`main_language` for a language the texts lack), with its transcript line:
    from now on they see it. How many copies; None when there is no such
    follow-up. The follow-up's row stays locked until the transaction ends, so
    two releases at once cannot both queue a copy for the same resident."""
    found = (
        await session.execute(
            select(*_COLUMNS).where(FollowUpRow.id == follow_up_id).with_for_update()
        )
    ).first()
    if found is None:
        return None
    follow_up = _follow_up(found)
    texts = follow_up.texts
    fallback = texts[main_language] if main_language in texts else texts[min(texts)]
    recipients = (await session.execute(_recipients(follow_up.consultation_id, follow_up_id))).all()
    if not recipients:
        return 0
    copies = [
        {
            "session_id": session_id,
            "participant_id": participant_id,
            "text": texts.get(language or "", fallback),
            "author": follow_up.author,
            "state": TeamMessageState.QUEUED.value,
            "created_at": now,
            "follow_up_id": follow_up_id,
        }
        for participant_id, session_id, language in recipients
    ]
    await session.execute(insert(TeamMessageRow), copies)
    await session.execute(
        insert(TranscriptLineRow),
        [
            {
                "session_id": copy["session_id"],
                "direction": Direction.OUT.value,
                "from_team": True,
                "text": copy["text"],
                "at": now,
            }
            for copy in copies
        ],
    )
    return len(copies)


def _recipients(consultation_id: str, without_copy_of: int | None) -> Any:
    """(participant, their latest session of the consultation, language) of
    every resident who wants its follow-ups (and has no copy yet of the
    follow-up `without_copy_of`)."""
    latest = (
        select(func.max(SessionRow.id))
        .join(FlowVersionRow, FlowVersionRow.id == SessionRow.flow_version_id)
        .where(
            SessionRow.participant_id == ParticipantRow.id,
            FlowVersionRow.consultation_id == consultation_id,
        )
        .correlate(ParticipantRow)
        .scalar_subquery()
    )
    query = (
        select(ParticipantRow.id, latest, ParticipantRow.language)
        .join(
            FollowUpConsentRow,
            and_(
                FollowUpConsentRow.participant_id == ParticipantRow.id,
                FollowUpConsentRow.consultation_id == consultation_id,
                FollowUpConsentRow.revoked_at.is_(None),
            ),
        )
        .where(latest.is_not(None))
        .order_by(ParticipantRow.id)
    )
    if without_copy_of is not None:
        query = query.where(
            ~exists().where(
                TeamMessageRow.follow_up_id == without_copy_of,
                TeamMessageRow.participant_id == ParticipantRow.id,
            )
        )
    return query


async def get(session: AsyncSession, follow_up_id: int) -> FollowUp | None:
    row = (await session.execute(select(*_COLUMNS).where(FollowUpRow.id == follow_up_id))).first()
    return None if row is None else _follow_up(row)


async def of_consultation(session: AsyncSession, consultation_id: str) -> list[FollowUp]:
    rows = await session.execute(
        select(*_COLUMNS)
        .where(FollowUpRow.consultation_id == consultation_id)
        .order_by(FollowUpRow.id)
    )
    return [_follow_up(row) for row in rows]


async def progress(session: AsyncSession, follow_up_id: int) -> Progress:
    return (await progress_of(session, [follow_up_id]))[follow_up_id]


async def progress_of(session: AsyncSession, follow_up_ids: Sequence[int]) -> dict[int, Progress]:
    """Where each follow-up's copies stand, in one query."""
    counts: dict[int, dict[str, int]] = {follow_up_id: {} for follow_up_id in follow_up_ids}
    if follow_up_ids:
        rows = await session.execute(
            select(TeamMessageRow.follow_up_id, TeamMessageRow.state, func.count())
            .where(TeamMessageRow.follow_up_id.in_(list(follow_up_ids)))
            .group_by(TeamMessageRow.follow_up_id, TeamMessageRow.state)
        )
        for follow_up_id, state, count in rows.tuples():
            if follow_up_id is not None:
                counts[follow_up_id][state] = int(count)
    return {follow_up_id: _progress(found) for follow_up_id, found in counts.items()}


def _progress(counts: Mapping[str, int]) -> Progress:
    return Progress(
        total=sum(counts.values()),
        delivered=counts.get(TeamMessageState.DELIVERED.value, 0),
        waiting=counts.get(TeamMessageState.QUEUED.value, 0),
        unreachable=counts.get(TeamMessageState.UNREACHABLE.value, 0),
    )


async def waiting_copies(
    session: AsyncSession, follow_up_id: int, *, after: int = 0, limit: int = 500
) -> list[Copy]:
    """The follow-up's copies still queued, past message id `after`, in order."""
    rows = await session.execute(
        select(TeamMessageRow.id, ParticipantRow.channel)
        .join(ParticipantRow, ParticipantRow.id == TeamMessageRow.participant_id)
        .where(
            TeamMessageRow.follow_up_id == follow_up_id,
            TeamMessageRow.state == TeamMessageState.QUEUED.value,
            TeamMessageRow.id > after,
        )
        .order_by(TeamMessageRow.id)
        .limit(limit)
    )
    return [Copy(message_id, channel) for message_id, channel in rows.tuples()]


async def with_queued_copies(
    session: AsyncSession, follow_up_ids: Sequence[int], channel: str
) -> list[int]:
    """Those of `follow_up_ids` with copies still queued for residents of `channel`."""
    if not follow_up_ids:
        return []
    rows = await session.execute(
        select(TeamMessageRow.follow_up_id)
        .distinct()
        .join(ParticipantRow, ParticipantRow.id == TeamMessageRow.participant_id)
        .where(
            TeamMessageRow.follow_up_id.in_(list(follow_up_ids)),
            TeamMessageRow.state == TeamMessageState.QUEUED.value,
            ParticipantRow.channel == channel,
        )
        .order_by(TeamMessageRow.follow_up_id)
    )
    return [found for found in rows.scalars() if found is not None]


async def completed_by_followers(
    session: AsyncSession, consultation_id: str
) -> list[tuple[int, str | None]]:
    """The completed conversations of the consultation whose residents want its
    follow-ups (their wish not revoked): (session id, the resident's language)."""
    rows = await session.execute(
        select(ContributionRow.session_id, ParticipantRow.language)
        .join(ParticipantRow, ParticipantRow.id == ContributionRow.participant_id)
        .join(
            FollowUpConsentRow,
            (FollowUpConsentRow.participant_id == ContributionRow.participant_id)
            & (FollowUpConsentRow.consultation_id == ContributionRow.consultation_id),
        )
        .where(
            ContributionRow.consultation_id == consultation_id,
            ~ContributionRow.partial,
            FollowUpConsentRow.revoked_at.is_(None),
        )
    )
    return [(session_id, language) for session_id, language in rows.tuples()]
