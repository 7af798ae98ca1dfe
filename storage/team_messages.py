"""Messages from the consultation team to residents, and residents' requests
for a person.

A request is a session whose resident asked for a person (`human_asked`): it
waits in the inbox (`waiting`, oldest request first) until someone of the team
marks it handled (`set_handled`); asking again after that reopens it.

A team message is written with its transcript line (marked `from_team`) in one
transaction (`add`), starts `queued`, and becomes `delivered` once it was
handed to the resident's channel. Taking a message for delivery is a claim
(`claim`, `claim_waiting`): one UPDATE that only one process can win, so a
message is never shown twice; a delivery that failed gives it back (`release`).
A message the platform refused is `unreachable`, and still goes out with the
resident's next message if they write again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import (
    Direction,
    FlowVersionRow,
    ParticipantRow,
    SessionRow,
    TeamMessageRow,
    TeamMessageState,
    TranscriptLineRow,
    table,
)
from storage.prepared import Prepared
from storage.writes import insert_if_new, rowcount


@dataclass(frozen=True, slots=True)
class TeamMessage:
    id: int
    session_id: int
    participant_id: int
    text: str
    author: str
    state: TeamMessageState
    created_at: dt.datetime
    delivered_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class HumanRequest:
    """A conversation and where its resident's request for a person stands."""

    session_id: int
    participant_id: int | None  # None once the resident erased their data
    consultation_id: str
    channel: str | None  # "telegram", "web", "rest", ...; None once erased
    language: str | None
    requested_at: dt.datetime | None  # None: they never asked for a person
    handled_at: dt.datetime | None
    handled_by: str | None
    last_activity_at: dt.datetime
    team_messages: int  # how many the team sent in this conversation
    reachable: bool | None = None  # False: the platform refused the last message (bot blocked)

    @property
    def waiting(self) -> bool:
        return self.requested_at is not None and self.handled_at is None


_WAITING_STATES = (TeamMessageState.QUEUED.value, TeamMessageState.UNREACHABLE.value)
_MESSAGE_COLUMNS = (
    TeamMessageRow.id,
    TeamMessageRow.session_id,
    TeamMessageRow.participant_id,
    TeamMessageRow.text,
    TeamMessageRow.author,
    TeamMessageRow.state,
    TeamMessageRow.created_at,
    TeamMessageRow.delivered_at,
)


_t = table(TeamMessageRow)
# On the path of every resident's message: prepared, and spelled as the
# partial index ix_team_messages_waiting is, so that SQLite uses it.
_CLAIM_WAITING = Prepared(
    update(_t)
    .where(_t.c.participant_id == bindparam("b_participant"), text("state <> 'delivered'"))
    .returning(*(_t.c[column.key] for column in _MESSAGE_COLUMNS))
)


# Of two inserts of one form token at once, the second waits for the first and,
# once it commits, inserts nothing (RETURNING then returns no row).
_ADD_ONCE = insert_if_new(
    _t,
    ("session_id", "participant_id", "text", "author", "state", "created_at", "form_token"),
    ("form_token",),
    returning=[column.key for column in _MESSAGE_COLUMNS],
)


def _message(row: Any) -> TeamMessage:
    fields = list(row)
    fields[5] = TeamMessageState(fields[5])
    return TeamMessage(*fields)


def _requests() -> Select[Any]:
    sent = (
        select(func.count())
        .where(TeamMessageRow.session_id == SessionRow.id)
        .correlate(SessionRow)
        .scalar_subquery()
    )
    return (
        select(
            SessionRow.id,
            SessionRow.participant_id,
            FlowVersionRow.consultation_id,
            ParticipantRow.channel,
            ParticipantRow.language,
            SessionRow.human_requested_at,
            SessionRow.human_handled_at,
            SessionRow.human_handled_by,
            SessionRow.last_activity_at,
            sent,
            ParticipantRow.reachable,
        )
        .join(FlowVersionRow, FlowVersionRow.id == SessionRow.flow_version_id)
        .outerjoin(ParticipantRow, ParticipantRow.id == SessionRow.participant_id)
    )


# ---- requests for a person --------------------------------------------------


async def human_asked(session: AsyncSession, session_id: int, *, now: dt.datetime) -> None:
    """The resident asked for a person: the conversation waits in the inbox.
    Asking again while it waits keeps its place; asking after it was handled
    reopens it."""
    await session.execute(
        update(SessionRow)
        .where(
            SessionRow.id == session_id,
            or_(SessionRow.human_requested_at.is_(None), SessionRow.human_handled_at.is_not(None)),
        )
        .values(
            human_requested=True,
            human_requested_at=now,
            human_handled_at=None,
            human_handled_by=None,
        )
    )


async def waiting(
    session: AsyncSession,
    *,
    consultations: Sequence[str] | None = None,
    after: HumanRequest | None = None,
    limit: int = 50,
) -> list[HumanRequest]:
    """Conversations whose resident asked for a person and that no one handled
    yet, oldest request first; only those of `consultations` if given. `after`:
    the last request of the previous page."""
    query = _requests().where(
        SessionRow.human_requested_at.is_not(None), SessionRow.human_handled_at.is_(None)
    )
    if consultations is not None:
        query = query.where(FlowVersionRow.consultation_id.in_(list(consultations)))
    if after is not None and after.requested_at is not None:
        query = query.where(
            or_(
                SessionRow.human_requested_at > after.requested_at,
                and_(
                    SessionRow.human_requested_at == after.requested_at,
                    SessionRow.id > after.session_id,
                ),
            )
        )
    query = query.order_by(SessionRow.human_requested_at, SessionRow.id).limit(limit)
    return [HumanRequest(*row) for row in await session.execute(query)]


async def waiting_count(
    session: AsyncSession, *, consultations: Sequence[str] | None = None
) -> int:
    """How many conversations wait for someone of the team (of `consultations`
    if given)."""
    query = (
        select(func.count())
        .select_from(SessionRow)
        .where(SessionRow.human_requested_at.is_not(None), SessionRow.human_handled_at.is_(None))
    )
    if consultations is not None:
        query = query.join(FlowVersionRow, FlowVersionRow.id == SessionRow.flow_version_id).where(
            FlowVersionRow.consultation_id.in_(list(consultations))
        )
    return int(await session.scalar(query) or 0)


async def request(session: AsyncSession, session_id: int) -> HumanRequest:
    """Where the conversation's request for a person stands; NotFound if the
    session does not exist (any more)."""
    row = (await session.execute(_requests().where(SessionRow.id == session_id))).first()
    if row is None:
        raise NotFound(f"no conversation {session_id}")
    return HumanRequest(*row)


async def set_handled(
    session: AsyncSession, session_id: int, *, handled: bool, by: str, now: dt.datetime
) -> bool:
    """Mark the request handled by `by`, or reopen it (`handled` false); whether
    anything changed (false: it already was so)."""
    query = update(SessionRow).where(
        SessionRow.id == session_id, SessionRow.human_requested_at.is_not(None)
    )
    if handled:
        query = query.where(SessionRow.human_handled_at.is_(None)).values(
            human_handled_at=now, human_handled_by=by
        )
    else:
        query = query.where(SessionRow.human_handled_at.is_not(None)).values(
            human_handled_at=None, human_handled_by=None
        )
    return rowcount(await session.execute(query)) > 0


# ---- messages ---------------------------------------------------------------


async def add(
    session: AsyncSession,
    session_id: int,
    participant_id: int,
    text: str,
    author: str,
    *,
    now: dt.datetime,
) -> TeamMessage:
    """A queued message from the team, and its line in the session's transcript."""
    values = _queued(session_id, participant_id, text, author, now)
    row = (
        await session.execute(insert(TeamMessageRow).values(**values).returning(*_MESSAGE_COLUMNS))
    ).one()
    await _transcript_line(session, session_id, text, now)
    return _message(row)


async def add_once(
    session: AsyncSession,
    session_id: int,
    participant_id: int,
    text: str,
    author: str,
    *,
    now: dt.datetime,
    form_token: str,
) -> TeamMessage | None:
    """As `add`, for the console form of one-time token `form_token`; None,
    and nothing added, if that form added its message before."""
    values = {**_queued(session_id, participant_id, text, author, now), "form_token": form_token}
    row = (await session.execute(_ADD_ONCE, values)).one_or_none()
    if row is None:
        return None
    await _transcript_line(session, session_id, text, now)
    return _message(row)


def _queued(
    session_id: int, participant_id: int, text: str, author: str, now: dt.datetime
) -> dict[str, Any]:
    """The columns of a message from the team, queued."""
    return {
        "session_id": session_id,
        "participant_id": participant_id,
        "text": text,
        "author": author,
        "state": TeamMessageState.QUEUED.value,
        "created_at": now,
    }


async def _transcript_line(
    session: AsyncSession, session_id: int, text: str, now: dt.datetime
) -> None:
    await session.execute(
        insert(TranscriptLineRow).values(
            session_id=session_id,
            direction=Direction.OUT.value,
            from_team=True,
            text=text,
            at=now,
        )
    )


async def get(session: AsyncSession, message_id: int) -> TeamMessage | None:
    row = (
        await session.execute(select(*_MESSAGE_COLUMNS).where(TeamMessageRow.id == message_id))
    ).first()
    return None if row is None else _message(row)


async def addressee(session: AsyncSession, message_id: int) -> tuple[str, str] | None:
    """The channel and pseudonym of the resident a message is for, or None."""
    row = (
        await session.execute(
            select(ParticipantRow.channel, ParticipantRow.user_hash)
            .join(TeamMessageRow, TeamMessageRow.participant_id == ParticipantRow.id)
            .where(TeamMessageRow.id == message_id)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def claim(session: AsyncSession, message_id: int, *, now: dt.datetime) -> TeamMessage | None:
    """Take a message not yet delivered for delivery (it is marked delivered);
    None if it was delivered already (by another process) or erased."""
    row = (
        await session.execute(
            update(TeamMessageRow)
            .where(TeamMessageRow.id == message_id, TeamMessageRow.state.in_(_WAITING_STATES))
            .values(state=TeamMessageState.DELIVERED.value, delivered_at=now)
            .returning(*_MESSAGE_COLUMNS)
        )
    ).first()
    return None if row is None else _message(row)


async def claim_waiting(
    session: AsyncSession, participant_id: int, *, now: dt.datetime
) -> list[TeamMessage]:
    """Take every message still waiting for the participant, oldest first."""
    result = await _CLAIM_WAITING.execute(
        session,
        {
            "b_participant": participant_id,
            "state": TeamMessageState.DELIVERED.value,
            "delivered_at": now,
        },
    )
    return sorted((_message(row) for row in result.rows), key=lambda message: message.id)


async def release(session: AsyncSession, message_id: int, *, unreachable: bool = False) -> None:
    """A claimed message did not reach the resident: it waits again (marked
    unreachable when the platform refused it for good)."""
    state = TeamMessageState.UNREACHABLE if unreachable else TeamMessageState.QUEUED
    await session.execute(
        update(TeamMessageRow)
        .where(TeamMessageRow.id == message_id)
        .values(state=state.value, delivered_at=None)
    )


async def for_session(session: AsyncSession, session_id: int) -> list[TeamMessage]:
    rows = await session.execute(
        select(*_MESSAGE_COLUMNS)
        .where(TeamMessageRow.session_id == session_id)
        .order_by(TeamMessageRow.id)
    )
    return [_message(row) for row in rows]


async def delete_for_participant(session: AsyncSession, participant_id: int) -> int:
    """Erase every message to the participant (their data is being erased); how many."""
    return rowcount(
        await session.execute(
            delete(TeamMessageRow).where(TeamMessageRow.participant_id == participant_id)
        )
    )
