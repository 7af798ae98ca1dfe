"""Processed inbound messages, for deduplication: a platform message id seen
before (per channel and participant hash) changes nothing and gets back the
replies that were sent the first time.

    claim = await inbound.claim(session, channel, user_hash, message_id, now=now)
    if not claim.is_new:
        return claim.replies            # a redelivery: same replies, nothing written
    ...                                  # handle the message
    await inbound.store_replies(session, claim.id, replies)

The claim is an INSERT ... ON CONFLICT DO NOTHING: when the same message is
handled twice at once, the second claim waits for the first transaction and,
once that commits, sees it as a duplicate; if that rolls back, the second
proceeds as new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.columns import JsonValue
from storage.errors import NotFound
from storage.models import InboundRow
from storage.statements import insert_ignoring_conflict, rowcount


@dataclass(frozen=True, slots=True)
class InboundClaim:
    id: int
    is_new: bool  # False: this message was handled before
    replies: JsonValue | None  # what was replied then; None when new


async def claim(
    session: AsyncSession,
    channel: str,
    user_hash: str,
    message_id: str,
    *,
    now: dt.datetime,
) -> InboundClaim:
    """Claim the message for handling in this transaction, or learn it was
    handled before and what was replied."""
    statement = insert_ignoring_conflict(
        session,
        InboundRow,
        {
            "channel": channel,
            "user_hash": user_hash,
            "message_id": message_id,
            "received_at": now,
        },
        ("channel", "user_hash", "message_id"),
    ).returning(InboundRow.id)
    new_id = await session.scalar(statement)
    if new_id is not None:
        return InboundClaim(id=new_id, is_new=True, replies=None)
    row = (
        await session.execute(
            select(InboundRow.id, InboundRow.replies).where(
                InboundRow.channel == channel,
                InboundRow.user_hash == user_hash,
                InboundRow.message_id == message_id,
            )
        )
    ).one()
    return InboundClaim(id=row.id, is_new=False, replies=row.replies)


async def store_replies(session: AsyncSession, claim_id: int, replies: JsonValue) -> None:
    """Keep the replies sent for a claimed message, for its redeliveries."""
    result = await session.execute(
        update(InboundRow).where(InboundRow.id == claim_id).values(replies=replies)
    )
    if rowcount(result) == 0:
        raise NotFound(f"no processed inbound message {claim_id}")
