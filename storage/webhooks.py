"""Webhook endpoints: where events are pushed, and how far each got.

Each endpoint keeps a position in the outbox feed (storage.commit_order) and is
served in order by one deliverer at a time: `claim` leases due endpoints to a
deliverer (FOR UPDATE SKIP LOCKED: several processes on one PostgreSQL never
take the same endpoint, so never send the same event at once), `advance` moves
its position after deliveries and renews the lease, `failed` records an
attempt that failed and when to try again, `release` gives it back. A lease
that runs out (a deliverer died) lets another process take over from the last
recorded position: delivery is at least once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.commit_order import Position
from storage.models import WebhookEndpointRow
from storage.writes import rowcount


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: int
    url: str
    events: tuple[str, ...]
    secret: bytes  # as the application sealed it
    enabled: bool
    disabled_reason: str | None
    position: Position
    delivered: int
    attempts: int
    next_attempt_at: dt.datetime | None
    failing_since: dt.datetime | None
    last_error: str | None
    created_at: dt.datetime


_E = WebhookEndpointRow
_COLUMNS = (
    _E.id,
    _E.url,
    _E.events,
    _E.secret,
    _E.enabled,
    _E.disabled_reason,
    _E.cursor_txid,
    _E.cursor_id,
    _E.delivered,
    _E.attempts,
    _E.next_attempt_at,
    _E.failing_since,
    _E.last_error,
    _E.created_at,
)


def _endpoint(row: Row[Any]) -> Endpoint:
    (id_, url, events, secret, enabled, reason, txid, cursor_id) = row[:8]
    delivered, attempts, next_at, failing_since, last_error, created_at = row[8:]
    return Endpoint(
        id_,
        url,
        tuple(events),
        secret,
        enabled,
        reason,
        Position(txid, cursor_id),
        delivered,
        attempts,
        next_at,
        failing_since,
        last_error,
        created_at,
    )


async def add(
    session: AsyncSession,
    url: str,
    events: Sequence[str],
    secret: bytes,
    *,
    start: Position,
    now: dt.datetime,
) -> Endpoint:
    """A new endpoint that gets the events after `start`."""
    row = (
        await session.execute(
            insert(_E)
            .values(
                url=url,
                events=list(events),
                secret=secret,
                enabled=True,
                cursor_txid=start.txid,
                cursor_id=start.id,
                delivered=0,
                attempts=0,
                created_at=now,
            )
            .returning(*_COLUMNS)
        )
    ).one()
    return _endpoint(row)


async def all_endpoints(session: AsyncSession) -> list[Endpoint]:
    rows = await session.execute(select(*_COLUMNS).order_by(_E.id))
    return [_endpoint(row) for row in rows]


async def exists(session: AsyncSession, endpoint_id: int) -> bool:
    return await session.scalar(select(_E.id).where(_E.id == endpoint_id)) is not None


async def set_enabled(
    session: AsyncSession, endpoint_id: int, enabled: bool, *, reason: str | None = None
) -> bool:
    """Enable or disable an endpoint (a disabled one keeps its backlog); False if unknown."""
    values: dict[str, object] = {"enabled": enabled, "disabled_reason": reason}
    if enabled:  # try at once, afresh
        values.update(attempts=0, next_attempt_at=None, failing_since=None)
    result = await session.execute(update(_E).where(_E.id == endpoint_id).values(**values))
    return rowcount(result) == 1


async def rewind(session: AsyncSession, endpoint_id: int | None, position: Position) -> int:
    """Move endpoints (one, or all if None) back to `position` if they are past
    it, to send again what came after; how many moved."""
    query = update(_E).where(
        or_(
            _E.cursor_txid > position.txid,
            (_E.cursor_txid == position.txid) & (_E.cursor_id > position.id),
        )
    )
    if endpoint_id is not None:
        query = query.where(_E.id == endpoint_id)
    result = await session.execute(
        query.values(cursor_txid=position.txid, cursor_id=position.id, next_attempt_at=None)
    )
    return rowcount(result)


async def claim(
    session: AsyncSession,
    owner: str,
    *,
    now: dt.datetime,
    lease: dt.timedelta,
    limit: int,
    besides: Sequence[int] = (),
) -> list[Endpoint]:
    """Lease up to `limit` enabled endpoints that are due and not leased to
    another deliverer, other than `besides` (those `owner` is still serving:
    one send at a time per endpoint); rows locked by another claim are skipped."""
    query = select(*_COLUMNS).where(
        _E.enabled.is_(True),
        or_(_E.next_attempt_at.is_(None), _E.next_attempt_at <= now),
        or_(_E.lease_until.is_(None), _E.lease_until < now, _E.lease_owner == owner),
    )
    if besides:
        query = query.where(_E.id.not_in(besides))
    rows = await session.execute(
        query.order_by(_E.id).limit(limit).with_for_update(skip_locked=True)
    )
    claimed = [_endpoint(row) for row in rows]
    if claimed:
        await session.execute(
            update(_E)
            .where(_E.id.in_([e.id for e in claimed]))
            .values(lease_owner=owner, lease_until=now + lease)
        )
    return claimed


def _mine(endpoint_id: int, owner: str) -> Any:
    return (_E.id == endpoint_id) & (_E.lease_owner == owner)


async def advance(
    session: AsyncSession,
    endpoint_id: int,
    owner: str,
    position: Position,
    delivered: int,
    *,
    lease_until: dt.datetime,
) -> bool:
    """Record deliveries up to `position` and renew the lease; False if the
    lease was lost (another deliverer took over) or the endpoint was disabled
    meanwhile: stop."""
    result = await session.execute(
        update(_E)
        .where(_mine(endpoint_id, owner), _E.enabled.is_(True))
        .values(
            cursor_txid=position.txid,
            cursor_id=position.id,
            delivered=_E.delivered + delivered,
            attempts=0,
            next_attempt_at=None,
            failing_since=None,
            lease_until=lease_until,
        )
    )
    return rowcount(result) == 1


async def failed(
    session: AsyncSession,
    endpoint_id: int,
    owner: str,
    *,
    error: str,
    retry_at: dt.datetime,
    now: dt.datetime,
) -> None:
    """An attempt at the endpoint's next event failed: try again at `retry_at`;
    the lease is released."""
    await session.execute(
        update(_E)
        .where(_mine(endpoint_id, owner))
        .values(
            attempts=_E.attempts + 1,
            next_attempt_at=retry_at,
            failing_since=func.coalesce(_E.failing_since, now),
            last_error=error[:500],
            lease_owner=None,
            lease_until=None,
        )
    )


async def disable(session: AsyncSession, endpoint_id: int, owner: str, *, reason: str) -> None:
    """The deliverer gives up on the endpoint (e.g. it answered 410 Gone)."""
    await session.execute(
        update(_E)
        .where(_mine(endpoint_id, owner))
        .values(
            enabled=False,
            disabled_reason=reason,
            last_error=reason,
            lease_owner=None,
            lease_until=None,
        )
    )


async def held(session: AsyncSession, endpoint_id: int, owner: str) -> bool:
    """Whether `owner` still leases the endpoint and it is enabled (checked
    before each batch: a webhook disabled meanwhile gets nothing more)."""
    found = await session.scalar(
        select(_E.id).where(_mine(endpoint_id, owner), _E.enabled.is_(True))
    )
    return found is not None


async def release(session: AsyncSession, endpoint_id: int, owner: str) -> None:
    await session.execute(
        update(_E).where(_mine(endpoint_id, owner)).values(lease_owner=None, lease_until=None)
    )
