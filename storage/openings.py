"""How many residents opened a consultation, per day, channel and source tag:
plain counters, no pseudonym, nothing about anyone. A resident counts when
they first reach the consultation's consent question (again after their note
from before consent expired), whether they consent or not; the results page
puts it beside the residents who consented.

Each count is kept in `SHARDS` rows, one chosen by the resident's pseudonym
(`shard_of`):
the count is written in the transaction of their message, and newcomers
arriving together would otherwise take turns on one row, each holding its lock
until its COMMIT (under bench/load.py on PostgreSQL, 2026-12-06: 1.7 ms of
waiting on average for that statement). Totals add the shards up.

    await openings.count(s, "mobilite", "web", "gare-tours", day=dt.date(2026, 11, 2),
                         user_hash=user_hash)
    await openings.total(s, "mobilite", since=..., until=..., channel="web")
"""

from __future__ import annotations

import datetime as dt
import zlib

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OpeningRow, table
from storage.prepared import Prepared

SHARDS = 16

_t = table(OpeningRow)
_COLUMNS = ("consultation_id", "day", "channel", "source", "shard")
_COUNT = Prepared(
    text(
        f"INSERT INTO {_t.name} ({', '.join(_COLUMNS)}, opened) "
        f"VALUES ({', '.join(':' + name for name in _COLUMNS)}, 1) "
        f"ON CONFLICT ({', '.join(_COLUMNS)}) DO UPDATE SET opened = {_t.name}.opened + 1"
    ).bindparams(*(bindparam(name, type_=_t.c[name].type) for name in _COLUMNS)),
    # Held on PostgreSQL (storage.write_batch): nothing reads the count back.
    deferrable=True,
    upserts=_t,
)


def shard_of(user_hash: str) -> int:
    """The shard a resident's openings are counted in."""
    return zlib.crc32(user_hash.encode()) % SHARDS


async def count(
    session: AsyncSession,
    consultation_id: str,
    channel: str,
    source: str | None,
    *,
    day: dt.date,
    user_hash: str,
) -> None:
    """One more resident (`user_hash`, their pseudonym, chooses the shard)
    opened the consultation on `day` (the region's day)."""
    values = {
        "consultation_id": consultation_id,
        "day": day.isoformat(),
        "channel": channel,
        "source": source or "",
        "shard": shard_of(user_hash),
    }
    await _COUNT.write(session, values)


async def total(
    session: AsyncSession,
    consultation_id: str,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    channel: str | None = None,
    source: str | None = None,
) -> int:
    """Residents who opened it, within the days [since, until] given."""
    query = select(func.coalesce(func.sum(_t.c.opened), 0)).where(
        _t.c.consultation_id == consultation_id
    )
    if since is not None:
        query = query.where(_t.c.day >= since.isoformat())
    if until is not None:
        query = query.where(_t.c.day <= until.isoformat())
    if channel is not None:
        query = query.where(_t.c.channel == channel)
    if source is not None:
        query = query.where(_t.c.source == source)
    return int(await session.scalar(query) or 0)
