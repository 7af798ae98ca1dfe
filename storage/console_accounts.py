"""Console accounts: people who sign in to moderate, organize or administer,
their one-time links to set a password, and nothing of their secrets in clear
(the application hands in an argon2id hash, an encrypted TOTP secret and the
hash of each link's token).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from types import EllipsisType
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import Conflict, NotFound
from storage.models import ConsoleLinkRow, ConsoleRole, ConsoleSessionRow, ConsoleUserRow
from storage.writes import rowcount


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    id: int
    email: str
    role: ConsoleRole
    password_hash: str | None
    totp_secret: bytes | None
    consultations: frozenset[str] | None  # None: every consultation
    disabled_at: dt.datetime | None
    created_at: dt.datetime

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    @property
    def uses_totp(self) -> bool:
        return self.totp_secret is not None


_COLUMNS = (
    ConsoleUserRow.id,
    ConsoleUserRow.email,
    ConsoleUserRow.role,
    ConsoleUserRow.password_hash,
    ConsoleUserRow.totp_secret,
    ConsoleUserRow.consultations,
    ConsoleUserRow.disabled_at,
    ConsoleUserRow.created_at,
)


def _user(row: Row[Any]) -> ConsoleUser:
    return ConsoleUser(
        id=row.id,
        email=row.email,
        role=ConsoleRole(row.role),
        password_hash=row.password_hash,
        totp_secret=row.totp_secret,
        consultations=None if row.consultations is None else frozenset(row.consultations),
        disabled_at=row.disabled_at,
        created_at=row.created_at,
    )


def normalized_email(email: str) -> str:
    return email.strip().lower()


async def add(
    session: AsyncSession,
    email: str,
    role: ConsoleRole,
    *,
    now: dt.datetime,
    consultations: Iterable[str] | None = None,
) -> ConsoleUser:
    """A new account without a password; Conflict if the e-mail is taken."""
    email = normalized_email(email)
    if await find(session, email) is not None:
        raise Conflict(f"there is already an account for {email}")
    user_id = await session.scalar(
        insert(ConsoleUserRow)
        .values(
            email=email,
            role=role.value,
            consultations=None if consultations is None else sorted(set(consultations)),
            created_at=now,
        )
        .returning(ConsoleUserRow.id)
    )
    assert user_id is not None
    return await get(session, user_id)


async def get(session: AsyncSession, user_id: int) -> ConsoleUser:
    row = (await session.execute(select(*_COLUMNS).where(ConsoleUserRow.id == user_id))).first()
    if row is None:
        raise NotFound(f"no console account {user_id}")
    return _user(row)


async def find(session: AsyncSession, email: str) -> ConsoleUser | None:
    row = (
        await session.execute(
            select(*_COLUMNS).where(ConsoleUserRow.email == normalized_email(email))
        )
    ).first()
    return None if row is None else _user(row)


async def by_email(session: AsyncSession, email: str) -> ConsoleUser:
    found = await find(session, email)
    if found is None:
        raise NotFound(f"no console account for {normalized_email(email)}")
    return found


async def all_users(session: AsyncSession) -> list[ConsoleUser]:
    rows = await session.execute(select(*_COLUMNS).order_by(ConsoleUserRow.email))
    return [_user(row) for row in rows]


async def change(
    session: AsyncSession,
    user_id: int,
    *,
    password_hash: str | EllipsisType | None = ...,
    totp_secret: bytes | EllipsisType | None = ...,
    disabled_at: dt.datetime | EllipsisType | None = ...,
) -> None:
    """Set the fields given (`...`: leave it as it is)."""
    values: dict[str, Any] = {}
    if password_hash is not ...:
        values["password_hash"] = password_hash
    if totp_secret is not ...:
        values["totp_secret"] = totp_secret
    if disabled_at is not ...:
        values["disabled_at"] = disabled_at
    result = await session.execute(
        update(ConsoleUserRow).where(ConsoleUserRow.id == user_id).values(**values)
    )
    if rowcount(result) == 0:
        raise NotFound(f"no console account {user_id}")


async def add_link(
    session: AsyncSession, user_id: int, token_hash: str, *, now: dt.datetime, valid: dt.timedelta
) -> None:
    """A one-time link for the account, replacing any unused one."""
    await session.execute(delete(ConsoleLinkRow).where(ConsoleLinkRow.user_id == user_id))
    await session.execute(
        insert(ConsoleLinkRow).values(
            token_hash=token_hash, user_id=user_id, created_at=now, expires_at=now + valid
        )
    )


async def use_link(session: AsyncSession, token_hash: str, *, now: dt.datetime) -> int | None:
    """Spend a link: its account's id, or None if it is unknown, used or expired."""
    return await session.scalar(
        update(ConsoleLinkRow)
        .where(
            ConsoleLinkRow.token_hash == token_hash,
            ConsoleLinkRow.used_at.is_(None),
            ConsoleLinkRow.expires_at > now,
        )
        .values(used_at=now)
        .returning(ConsoleLinkRow.user_id)
    )


async def link_user(session: AsyncSession, token_hash: str, *, now: dt.datetime) -> int | None:
    """The account of a link still usable, without spending it."""
    found: int | None = await session.scalar(
        select(ConsoleLinkRow.user_id).where(
            ConsoleLinkRow.token_hash == token_hash,
            ConsoleLinkRow.used_at.is_(None),
            ConsoleLinkRow.expires_at > now,
        )
    )
    return found


async def end_sessions(session: AsyncSession, user_id: int) -> int:
    """Sign the account out of every browser; how many sessions ended."""
    result = await session.execute(
        delete(ConsoleSessionRow).where(ConsoleSessionRow.user_id == user_id)
    )
    return rowcount(result)
