"""Transcript lines: what the resident said and what the bot answered, with the
buttons shown and how each resident line was interpreted. Lines written by the
consultation team (storage.team_messages) are outgoing lines marked `from_team`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.columns import JsonValue
from storage.models import Direction, TranscriptLineRow, table
from storage.prepared import Prepared


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    direction: Direction
    text: str
    at: dt.datetime
    buttons: JsonValue | None = None  # shown with a bot line
    platform_message_id: str | None = None
    interpretation: JsonValue | None = None  # how a resident line was read
    id: int | None = None  # set once stored
    session_id: int | None = None
    from_team: bool = False  # an outgoing line written by the consultation team


_INSERT = Prepared(insert(table(TranscriptLineRow)), deferrable=True)


async def append(session: AsyncSession, session_id: int, lines: Sequence[TranscriptLine]) -> None:
    """Store `lines` in order, in one statement."""
    if not lines:
        return
    await _INSERT.write_many(
        session,
        [
            {
                "session_id": session_id,
                "direction": line.direction.value,
                "text": line.text,
                "buttons": line.buttons,
                "platform_message_id": line.platform_message_id,
                "interpretation": line.interpretation,
                "at": line.at,
            }
            for line in lines
        ],
    )


async def for_session(session: AsyncSession, session_id: int) -> list[TranscriptLine]:
    """The session's lines in the order they were written."""
    rows = await session.execute(
        select(
            TranscriptLineRow.direction,
            TranscriptLineRow.text,
            TranscriptLineRow.at,
            TranscriptLineRow.buttons,
            TranscriptLineRow.platform_message_id,
            TranscriptLineRow.interpretation,
            TranscriptLineRow.id,
            TranscriptLineRow.session_id,
            TranscriptLineRow.from_team,
        )
        .where(TranscriptLineRow.session_id == session_id)
        .order_by(TranscriptLineRow.id)
    )
    return [_line(row) for row in rows]


def _line(row: Any) -> TranscriptLine:
    direction, *rest = row
    return TranscriptLine(Direction(direction), *rest)
