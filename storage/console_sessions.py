"""Console sign-ins: a row per signed-in browser (its cookie holds a random id,
the row that id's hash, so a copy of the database signs no one in), and the
failed attempts that slow down password guessing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConsoleSessionRow, LoginFailureRow
from storage.writes import rowcount


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    id_hash: str
    user_id: int
    stage: str  # "full", or "code" / "enrol" while a second factor is due
    csrf_token: str
    created_at: dt.datetime
    last_seen_at: dt.datetime


_COLUMNS = (
    ConsoleSessionRow.id_hash,
    ConsoleSessionRow.user_id,
    ConsoleSessionRow.stage,
    ConsoleSessionRow.csrf_token,
    ConsoleSessionRow.created_at,
    ConsoleSessionRow.last_seen_at,
)


async def open_session(
    session: AsyncSession,
    id_hash: str,
    user_id: int,
    *,
    stage: str,
    csrf_token: str,
    now: dt.datetime,
) -> None:
    await session.execute(
        insert(ConsoleSessionRow).values(
            id_hash=id_hash,
            user_id=user_id,
            stage=stage,
            csrf_token=csrf_token,
            created_at=now,
            last_seen_at=now,
        )
    )


async def find(session: AsyncSession, id_hash: str) -> ConsoleSession | None:
    row = (
        await session.execute(select(*_COLUMNS).where(ConsoleSessionRow.id_hash == id_hash))
    ).first()
    return None if row is None else ConsoleSession(*row)


async def touch(session: AsyncSession, id_hash: str, *, now: dt.datetime) -> None:
    await session.execute(
        update(ConsoleSessionRow)
        .where(ConsoleSessionRow.id_hash == id_hash)
        .values(last_seen_at=now)
    )


async def advance(session: AsyncSession, id_hash: str, stage: str, *, now: dt.datetime) -> None:
    await session.execute(
        update(ConsoleSessionRow)
        .where(ConsoleSessionRow.id_hash == id_hash)
        .values(stage=stage, last_seen_at=now)
    )


async def close(session: AsyncSession, id_hash: str) -> bool:
    result = await session.execute(
        delete(ConsoleSessionRow).where(ConsoleSessionRow.id_hash == id_hash)
    )
    return rowcount(result) == 1


async def close_idle(session: AsyncSession, *, idle_since: dt.datetime) -> int:
    """End the sessions unused since `idle_since`; how many."""
    result = await session.execute(
        delete(ConsoleSessionRow).where(ConsoleSessionRow.last_seen_at < idle_since)
    )
    return rowcount(result)


async def record_failure(session: AsyncSession, keys: list[str], *, now: dt.datetime) -> None:
    await session.execute(insert(LoginFailureRow), [{"key": key, "at": now} for key in keys])


async def failures_since(session: AsyncSession, key: str, since: dt.datetime) -> int:
    found = await session.scalar(
        select(func.count(LoginFailureRow.id)).where(
            LoginFailureRow.key == key, LoginFailureRow.at >= since
        )
    )
    return int(found or 0)


async def forget_failures(session: AsyncSession, *, before: dt.datetime) -> int:
    result = await session.execute(delete(LoginFailureRow).where(LoginFailureRow.at < before))
    return rowcount(result)
