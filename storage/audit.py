"""Audit records: what was done to personal data or by a console user, when,
by whom, to which item, with its state before and after, and to how many rows.
Never any content: no text, no answer, no identifier of a resident."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditRow, table
from storage.prepared import Prepared

# Compiled once: every moderation decision writes one.
_INSERT = Prepared(insert(table(AuditRow)).returning(table(AuditRow).c.id))


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: dt.datetime
    action: str  # "delete_data", "purge", "answer.approve", "login", ...
    counts: Mapping[str, int]  # rows affected per kind
    details: Mapping[str, str]  # parameters such as a cutoff or a reason; no content
    actor: str | None = None  # who: a console account's email, "cli:<user>", ...
    subject: str | None = None  # which item: "answer:12", "user:3", ...
    state_before: str | None = None
    state_after: str | None = None


async def record(
    session: AsyncSession,
    action: str,
    counts: Mapping[str, int],
    *,
    now: dt.datetime,
    details: Mapping[str, str] | None = None,
    actor: str | None = None,
    subject: str | None = None,
    state_before: str | None = None,
    state_after: str | None = None,
) -> int:
    """Write an audit record; its id."""
    values = {
        "at": now,
        "action": action,
        "counts": dict(counts),
        "details": dict(details or {}),
        "actor": actor,
        "subject": subject,
        "state_before": state_before,
        "state_after": state_after,
    }
    record_id: int | None = (await _INSERT.execute(session, values)).scalar()
    assert record_id is not None
    return record_id


_COLUMNS = (
    AuditRow.id,
    AuditRow.at,
    AuditRow.action,
    AuditRow.counts,
    AuditRow.details,
    AuditRow.actor,
    AuditRow.subject,
    AuditRow.state_before,
    AuditRow.state_after,
)


async def recent(
    session: AsyncSession,
    *,
    action: str | None = None,
    subject: str | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditRecord]:
    """The latest records, newest first; `before_id` pages back."""
    query = select(*_COLUMNS).order_by(AuditRow.id.desc())
    if action is not None:
        query = query.where(AuditRow.action == action)
    if subject is not None:
        query = query.where(AuditRow.subject == subject)
    if actor is not None:
        query = query.where(AuditRow.actor == actor)
    if since is not None:
        query = query.where(AuditRow.at >= since)
    if before_id is not None:
        query = query.where(AuditRow.id < before_id)
    rows = await session.execute(query.limit(limit))
    return [
        AuditRecord(
            id=row.id,
            at=row.at,
            action=row.action,
            counts=dict(row.counts or {}),
            details=dict(row.details or {}),
            actor=row.actor,
            subject=row.subject,
            state_before=row.state_before,
            state_after=row.state_after,
        )
        for row in rows
    ]
