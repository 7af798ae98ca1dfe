"""Saved replies: texts the team often writes to residents who asked for a
person, kept by an admin, one language each. A moderator picks one in the
console's inbox instead of typing it (and may still edit it before sending).
The caller checks the values (bot.console.inbox_pages)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SavedReplyRow
from storage.writes import rowcount

_COLUMNS = (
    SavedReplyRow.id,
    SavedReplyRow.language,
    SavedReplyRow.title,
    SavedReplyRow.text,
    SavedReplyRow.updated_by,
    SavedReplyRow.updated_at,
)


@dataclass(frozen=True, slots=True)
class SavedReply:
    id: int
    language: str
    title: str
    text: str
    updated_by: str
    updated_at: dt.datetime


def _reply(row: Any) -> SavedReply:
    return SavedReply(*row)


async def listing(session: AsyncSession, language: str | None = None) -> list[SavedReply]:
    """The saved replies (of one language if given), by language then title."""
    query = select(*_COLUMNS)
    if language is not None:
        query = query.where(SavedReplyRow.language == language)
    rows = await session.execute(
        query.order_by(SavedReplyRow.language, SavedReplyRow.title, SavedReplyRow.id)
    )
    return [_reply(row) for row in rows]


async def get(session: AsyncSession, reply_id: int) -> SavedReply | None:
    row = (await session.execute(select(*_COLUMNS).where(SavedReplyRow.id == reply_id))).first()
    return None if row is None else _reply(row)


async def add(
    session: AsyncSession, language: str, title: str, text: str, *, by: str, now: dt.datetime
) -> SavedReply:
    row = (
        await session.execute(
            insert(SavedReplyRow)
            .values(language=language, title=title, text=text, updated_by=by, updated_at=now)
            .returning(*_COLUMNS)
        )
    ).one()
    return _reply(row)


async def change(
    session: AsyncSession,
    reply_id: int,
    language: str,
    title: str,
    text: str,
    *,
    by: str,
    now: dt.datetime,
) -> bool:
    """Replace a saved reply's language, title and text; False if there is none."""
    result = await session.execute(
        update(SavedReplyRow)
        .where(SavedReplyRow.id == reply_id)
        .values(language=language, title=title, text=text, updated_by=by, updated_at=now)
    )
    return rowcount(result) == 1


async def remove(session: AsyncSession, reply_id: int) -> bool:
    """Delete a saved reply; False if there was none."""
    result = await session.execute(delete(SavedReplyRow).where(SavedReplyRow.id == reply_id))
    return rowcount(result) == 1
