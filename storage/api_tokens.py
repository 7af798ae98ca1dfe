"""Bearer tokens of the pull API. Only a hash of each token is stored: the
token itself is shown once, when it is made, and cannot be read back."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApiTokenRow
from storage.writes import rowcount


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    name: str
    scopes: tuple[str, ...]
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


_COLUMNS = (
    ApiTokenRow.id,
    ApiTokenRow.name,
    ApiTokenRow.scopes,
    ApiTokenRow.created_at,
    ApiTokenRow.revoked_at,
    ApiTokenRow.last_used_at,
)


def hash_of(token: str) -> str:
    """SHA-256 of the token (tokens are long random strings: no salt needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _token(row: tuple[object, ...]) -> ApiToken:
    id_, name, scopes, created_at, revoked_at, last_used_at = row
    assert isinstance(scopes, list)
    return ApiToken(id_, name, tuple(scopes), created_at, revoked_at, last_used_at)  # type: ignore[arg-type]


async def create(
    session: AsyncSession, name: str, token: str, scopes: Sequence[str], *, now: dt.datetime
) -> ApiToken | None:
    """Store `token` (its hash) under `name`; None if the name is taken."""
    if await session.scalar(select(ApiTokenRow.id).where(ApiTokenRow.name == name)) is not None:
        return None
    row = (
        await session.execute(
            insert(ApiTokenRow)
            .values(name=name, token_hash=hash_of(token), scopes=list(scopes), created_at=now)
            .returning(*_COLUMNS)
        )
    ).one()
    return _token(tuple(row))


async def find(session: AsyncSession, token: str) -> ApiToken | None:
    """The token with this value, revoked or not; None if unknown."""
    row = (
        await session.execute(select(*_COLUMNS).where(ApiTokenRow.token_hash == hash_of(token)))
    ).first()
    return None if row is None else _token(tuple(row))


async def used(session: AsyncSession, token_id: int, *, now: dt.datetime) -> None:
    await session.execute(
        update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=now)
    )


async def all_tokens(session: AsyncSession) -> list[ApiToken]:
    rows = await session.execute(select(*_COLUMNS).order_by(ApiTokenRow.id))
    return [_token(tuple(row)) for row in rows]


async def revoke(session: AsyncSession, name: str, *, now: dt.datetime) -> bool:
    """Revoke the token named `name`; False if there is no such active token."""
    result = await session.execute(
        update(ApiTokenRow)
        .where(ApiTokenRow.name == name, ApiTokenRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return rowcount(result) == 1
