"""Audit records: what was done to personal data, when, and to how many rows.
Never any content: no text, no answer, no identifier of the person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditRow


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: dt.datetime
    action: str  # "delete_data", "purge", ...
    counts: Mapping[str, int]  # rows affected per kind
    details: Mapping[str, str]  # parameters such as a cutoff; no content


async def record(
    session: AsyncSession,
    action: str,
    counts: Mapping[str, int],
    *,
    now: dt.datetime,
    details: Mapping[str, str] | None = None,
) -> int:
    """Write an audit record; its id."""
    record_id = await session.scalar(
        insert(AuditRow)
        .values(at=now, action=action, counts=dict(counts), details=dict(details or {}))
        .returning(AuditRow.id)
    )
    assert record_id is not None
    return record_id


async def recent(
    session: AsyncSession, *, action: str | None = None, limit: int = 100
) -> list[AuditRecord]:
    """The latest records, newest first."""
    query = select(
        AuditRow.id, AuditRow.at, AuditRow.action, AuditRow.counts, AuditRow.details
    ).order_by(AuditRow.id.desc())
    if action is not None:
        query = query.where(AuditRow.action == action)
    rows = await session.execute(query.limit(limit))
    return [
        AuditRecord(
            id=row.id,
            at=row.at,
            action=row.action,
            counts=dict(row.counts or {}),
            details=dict(row.details or {}),
        )
        for row in rows
    ]
