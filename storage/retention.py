"""The retention period: `purge` erases transcript lines, processed message ids
(which hold the replies sent) and delivered outbox events older than a cutoff,
and audits how many. Answers are the consultation's result and are kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.models import InboundRow, OutboxEventRow, TranscriptLineRow
from storage.statements import rowcount

AUDIT_ACTION = "purge"


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    transcript_lines: int
    inbound_messages: int
    outbox_events: int  # delivered ones only


async def purge(session: AsyncSession, *, older_than: dt.datetime, now: dt.datetime) -> PurgeCounts:
    """Erase what is older than `older_than` and audit it; the counts."""
    transcript_lines = rowcount(
        await session.execute(delete(TranscriptLineRow).where(TranscriptLineRow.at < older_than))
    )
    inbound_messages = rowcount(
        await session.execute(delete(InboundRow).where(InboundRow.received_at < older_than))
    )
    outbox_events = rowcount(
        await session.execute(
            delete(OutboxEventRow).where(
                OutboxEventRow.delivered_at.is_not(None), OutboxEventRow.created_at < older_than
            )
        )
    )
    counts = PurgeCounts(transcript_lines, inbound_messages, outbox_events)
    await audit.record(
        session,
        AUDIT_ACTION,
        asdict(counts),
        now=now,
        details={"older_than": older_than.astimezone(dt.UTC).isoformat()},
    )
    return counts
