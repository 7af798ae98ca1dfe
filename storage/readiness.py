"""A write probe: `/readyz` asks whether the database takes writes (a read-only
file, a read-only PostgreSQL transaction or a full disk answer reads but refuse
writes). `probe` writes one row of one table and nothing else."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ReadinessProbeRow, table

_t = table(ReadinessProbeRow)
_WRITE = text(
    f"INSERT INTO {_t.name} (id, checked_at) VALUES (1, :checked_at) "
    "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at"
).bindparams(bindparam("checked_at", type_=_t.c.checked_at.type))


async def probe(session: AsyncSession, *, now: dt.datetime) -> None:
    """Write the probe row; raises StorageError (via the transaction) if the
    database refuses it."""
    await session.execute(_WRITE, {"checked_at": now})
