"""The retention period: `purge` erases transcript lines, processed message ids
(which hold the replies sent), erasure receipts, messages from the consultation
team and delivered outbox events older than a cutoff, and audits how many.
Answers are the consultation's result and are kept.

A large backlog (the first purge after a year) is best erased in batches
(`limit`), one transaction each, so that the bot is never kept waiting for the
write lock long; each batch writes its own audit record, since each is
committed on its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Delete, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from storage import audit
from storage.models import (
    ErasureReceiptRow,
    InboundRow,
    OutboxEventRow,
    TeamMessageRow,
    TranscriptLineRow,
)
from storage.writes import rowcount

AUDIT_ACTION = "purge"


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    transcript_lines: int
    inbound_messages: int
    outbox_events: int  # delivered ones only
    erasure_receipts: int = 0
    team_messages: int = 0

    def reached(self, limit: int) -> bool:
        """Whether a batch of `limit` was full for some kind (more may remain)."""
        return max(int(count) for count in asdict(self).values()) >= limit

    def __add__(self, other: PurgeCounts) -> PurgeCounts:
        return PurgeCounts(
            self.transcript_lines + other.transcript_lines,
            self.inbound_messages + other.inbound_messages,
            self.outbox_events + other.outbox_events,
            self.erasure_receipts + other.erasure_receipts,
            self.team_messages + other.team_messages,
        )


async def purge(
    session: AsyncSession,
    *,
    older_than: dt.datetime,
    now: dt.datetime,
    limit: int | None = None,
) -> PurgeCounts:
    """Erase what is older than `older_than` (at most `limit` rows of each kind)
    and audit it; the counts."""
    transcript_lines = await _delete(
        session, TranscriptLineRow.id, TranscriptLineRow.at < older_than, limit
    )
    inbound_messages = await _delete(
        session, InboundRow.id, InboundRow.received_at < older_than, limit
    )
    outbox_events = await _delete(
        session,
        OutboxEventRow.id,
        OutboxEventRow.delivered_at.is_not(None) & (OutboxEventRow.created_at < older_than),
        limit,
    )
    receipts = await _delete(
        session, ErasureReceiptRow.digest, ErasureReceiptRow.created_at < older_than, limit
    )
    team_messages = await _delete(
        session, TeamMessageRow.id, TeamMessageRow.created_at < older_than, limit
    )
    counts = PurgeCounts(transcript_lines, inbound_messages, outbox_events, receipts, team_messages)
    await audit.record(
        session,
        AUDIT_ACTION,
        asdict(counts),
        now=now,
        details={"older_than": older_than.astimezone(dt.UTC).isoformat()},
    )
    return counts


async def _delete(
    session: AsyncSession,
    key: InstrumentedAttribute[Any],
    condition: ColumnElement[bool],
    limit: int | None,
) -> int:
    """Delete the rows of `key`'s table that meet `condition`."""
    statement: Delete = delete(key.class_)
    if limit is None:
        statement = statement.where(condition)
    else:
        # DELETE ... LIMIT is not standard SQL: pick the keys first.
        batch = select(key).where(condition).order_by(key).limit(limit)
        statement = statement.where(key.in_(batch.scalar_subquery()))
    return rowcount(await session.execute(statement))
